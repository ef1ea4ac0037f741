"""questionnaires/merchant.yaml: it loads, its skip logic keeps it short for each type, it asks
nothing about the person, and the demo seeds merchant answers that build an inventory."""
from __future__ import annotations

import pytest
from sqlmodel import select

from surveyapp.demo.seed import seed_demo
from surveyapp.merchants.queries import merchant_campaigns, outlets_of, pending_duplicates
from surveyapp.models import Response
from surveyapp.questionnaire import load_questionnaire, validate_answers
from surveyapp.questionnaire.answers import visible_questions
from surveyapp.questionnaire.timing import estimated_minutes

from .helpers import PROJECT_QUESTIONNAIRES

MERCHANT = PROJECT_QUESTIONNAIRES / "merchant.yaml"


@pytest.fixture(scope="module")
def questionnaire():
    return load_questionnaire(MERCHANT)


def base(type_code, **more):
    return {"outlet_name": "店", "outlet_address": "路1号", "outlet_type": type_code, "is_chain": "no",
            "open_24h": "no", "qr_payment": "yes", **more}


def shown(questionnaire, answers):
    return {q.name for q in visible_questions(questionnaire, answers)}


def test_the_file_loads_with_the_catalogue_and_names_the_outlet_builder_reads(questionnaire):
    assert questionnaire.name == "merchant" and estimated_minutes(questionnaire) <= 5
    codes = {c.name for c in questionnaire.question("outlet_type").choices_for(())}
    assert {"convenience_store", "breakfast", "wet_market", "repair", "coffee_tea"} <= codes
    for name in ("outlet_name", "outlet_address", "outlet_type", "floor_area", "is_chain", "brand", "open_24h",
                 "addon_services", "breakfast_varieties", "delivery", "qr_payment", "accepts_cash",
                 "listed_on_platform", "repair_categories", "market_facilities", "promotion_events",
                 "honest_pledge", "difficulties", "support_wanted"):
        assert name in questionnaire, name
    facilities = {c.name for c in questionnaire.question("market_facilities").choices_for(())}
    assert {"rapid_testing", "fair_scale", "price_display"} <= facilities  # the rules' market services


def test_only_the_outlet_is_identified(questionnaire):
    texts = [q.name for q in questionnaire.answerable_questions() if q.type == "text"]
    assert texts == ["outlet_name", "outlet_address", "brand", "suggestion"]
    assert "不问您个人的姓名" in questionnaire.notice and "3年后删除" in questionnaire.notice


@pytest.mark.parametrize("type_code, asked, not_asked", [
    ("convenience_store", {"addon_services", "sells_breakfast"}, {"repair_categories", "market_facilities"}),
    ("breakfast", {"breakfast_varieties"}, {"addon_services", "sells_breakfast", "repair_categories"}),
    ("repair", {"repair_categories"}, {"addon_services", "breakfast_varieties", "market_facilities"}),
    ("wet_market", {"market_facilities"}, {"addon_services", "breakfast_varieties", "repair_categories"}),
    ("hair_beauty", set(), {"addon_services", "sells_breakfast", "breakfast_varieties", "repair_categories",
                            "market_facilities"}),
])
def test_skip_logic_asks_each_type_only_what_concerns_it(questionnaire, type_code, asked, not_asked):
    visible = shown(questionnaire, base(type_code))
    assert asked <= visible and not (not_asked & visible)


def test_hours_brand_cash_and_breakfast_follow_earlier_answers(questionnaire):
    assert {"opening_hour", "closing_hour"} <= shown(questionnaire, base("pharmacy"))
    assert not {"opening_hour", "closing_hour"} & shown(questionnaire, base("pharmacy", open_24h="yes"))
    assert "brand" in shown(questionnaire, base("pharmacy", is_chain="yes"))
    assert "accepts_cash" not in shown(questionnaire, base("pharmacy", qr_payment="no"))
    assert "breakfast_varieties" in shown(questionnaire, base("convenience_store", sells_breakfast="yes"))
    assert "breakfast_varieties" not in shown(questionnaire, base("convenience_store", sells_breakfast="no"))


def test_answers_are_checked(questionnaire):
    clean, errors = validate_answers(questionnaire, base("convenience_store", addon_services="parcel none",
                                                         floor_area="0", opening_hour="25"))
    assert errors == {"addon_services": "选了“都没有”，就不要再选其他项", "floor_area": "请填写1到100000之间的平方米数",
                      "opening_hour": "请填写时间，比如 6:30 或 18:00"}
    clean, errors = validate_answers(questionnaire, base("repair", repair_categories="shoes、keys",
                                                         addon_services="parcel", floor_area="２０"))
    assert errors == {} and clean["repair_categories"] == ["shoes", "keys"] and clean["floor_area"] == 20
    assert "addon_services" not in clean  # hidden for a repair shop
    _, errors = validate_answers(questionnaire, {})
    assert set(errors) == {"outlet_name", "outlet_address", "outlet_type", "is_chain", "open_24h", "qr_payment"}


def test_demo_seeds_merchant_answers_into_an_inventory(app, db):
    with app.app_context():
        result = seed_demo(db, load_questionnaire(PROJECT_QUESTIONNAIRES / "resident.yaml"), responses=60,
                           incomplete=2)
    [campaign] = merchant_campaigns(db, result.circle.id)
    responses = db.exec(select(Response).where(Response.campaign_id == campaign.id)).all()
    assert 110 <= len(responses) <= 130 and {r.channel for r in responses} == {"qr", "paper"}
    outlets = outlets_of(db, result.circle.id)
    assert len(outlets) == len(responses)
    assert len(pending_duplicates(outlets)) == 2
    assert len({o.type_code for o in outlets}) >= 20
