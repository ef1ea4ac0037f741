"""Merchant answers building the outlet inventory through the response write path, and the
merge rules: the same shop is recognised, offered for merging, never silently doubled."""
from __future__ import annotations

import pytest
from sqlmodel import select

from surveyapp.merchants.matching import match_key, normalise
from surveyapp.merchants.operations import OutletError, add_outlet, merge, separate, set_status
from surveyapp.merchants.queries import fact_suggestions, outlets_of, pending_duplicates, presence_suggestions
from surveyapp.models import Outlet, Response
from surveyapp.questionnaire import load_questionnaire, validate_answers
from surveyapp.responses.importer import import_file
from surveyapp.responses.operations import NewResponse, record_many, record_response

from .helpers import PROJECT_QUESTIONNAIRES, make_campaign, make_circle

MERCHANT = PROJECT_QUESTIONNAIRES / "merchant.yaml"
RESIDENT = PROJECT_QUESTIONNAIRES / "resident.yaml"


def shop(**overrides):
    answers = {"outlet_name": "好邻居便利店（幸福路店）", "outlet_address": "幸福路12号", "outlet_type": "convenience_store",
               "is_chain": "yes", "brand": "好邻居", "open_24h": "yes", "addon_services": ["parcel", "top_up"],
               "delivery": ["instant_retail"], "qr_payment": "yes", "accepts_cash": "yes",
               "listed_on_platform": "yes", "difficulties": ["rent"], "support_wanted": ["rent_support"]}
    answers.update(overrides)
    return {k: v for k, v in answers.items() if v is not None}


@pytest.fixture
def merchant(db):
    circle = make_circle(db)
    return circle, make_campaign(db, circle, MERCHANT), load_questionnaire(MERCHANT)


def store(db, campaign, questionnaire, *answer_sets, channel="qr"):
    items = []
    for answers in answer_sets:
        clean, errors = validate_answers(questionnaire, answers)
        assert errors == {}
        items.append(NewResponse(answers=clean, channel=channel))
    return record_many(db, campaign, questionnaire, items)


@pytest.mark.parametrize("a, b", [
    ("好邻居便利店（幸福路店）", "好邻居便利店(幸福路店)"),
    ("幸福路12号", "幸福路１２號"),
    ("幸福路12号", "幸福路 12"),
    ("和平路100弄3号", "和平路100衖3号"),
    ("ABC Mart", "abc-mart"),
    ("张记·早餐", "张记 早餐"),
])
def test_normalise_removes_only_typing_differences(a, b):
    assert normalise(a) == normalise(b)


@pytest.mark.parametrize("a, b", [("幸福路12号", "幸福路13号"), ("好邻居便利店", "好邻居超市"), ("100弄3号", "100号3")])
def test_normalise_keeps_real_differences(a, b):
    assert normalise(a) != normalise(b)


def test_match_key_joins_name_and_address():
    assert match_key("张记早餐", "幸福路1号") == "张记早餐|幸福路1"
    assert match_key("张记早餐", "幸福路1号") != match_key("张记早餐", "幸福路2号")  # a chain's two branches


def test_a_merchant_answer_builds_an_outlet(db, merchant):
    circle, campaign, questionnaire = merchant
    [response] = store(db, campaign, questionnaire, shop())
    [outlet] = outlets_of(db, circle.id)
    assert (outlet.name, outlet.address, outlet.type_code) == ("好邻居便利店（幸福路店）", "幸福路12号", "convenience_store")
    assert outlet.chain and outlet.brand == "好邻居" and outlet.is_24h and outlet.instant_retail and not outlet.home_delivery
    assert outlet.addon_services == ["parcel", "top_up"] and outlet.qr_payment and outlet.listed_on_platform
    assert outlet.response_ids == [response.id] and outlet.source == "merchant" and outlet.status == "open"


def test_record_response_builds_the_outlet_in_the_same_transaction(db, merchant):
    circle, campaign, questionnaire = merchant
    clean, _ = validate_answers(questionnaire, shop(outlet_type="repair", repair_categories=["shoes", "keys"],
                                                    addon_services=None))
    response = record_response(db, campaign, questionnaire, NewResponse(answers=clean, device_hash="d" * 64))
    [outlet] = outlets_of(db, circle.id)
    assert outlet.response_ids == [response.id] and outlet.repair_categories == ["shoes", "keys"]
    assert outlet.addon_services == []  # hidden for a repair shop: never stored


def test_resident_campaigns_build_no_outlets(db):
    circle = make_circle(db)
    questionnaire = load_questionnaire(RESIDENT)
    campaign = make_campaign(db, circle, RESIDENT)
    record_many(db, campaign, questionnaire, [NewResponse(channel="paper", answers={"community": "东社区"})])
    assert db.exec(select(Outlet)).all() == []


def test_the_same_shop_answering_twice_is_offered_for_merging_not_doubled(db, merchant):
    circle, campaign, questionnaire = merchant
    store(db, campaign, questionnaire, shop(), shop(outlet_name="好邻居便利店 (幸福路店)", open_24h="no"))
    first, second = sorted(outlets_of(db, circle.id), key=lambda o: o.id)
    assert first.possible_duplicate_of is None and second.possible_duplicate_of == first.id
    assert pending_duplicates(outlets_of(db, circle.id)) == [(second, first)]
    assert fact_suggestions(db, circle.id)["chain_share"]["total_outlets"].value == 1
    assert presence_suggestions(db, circle.id) == {"convenience_store": 1}


def test_a_paper_form_typed_after_the_online_answer_is_recognised(db, merchant, tmp_path):
    circle, campaign, questionnaire = merchant
    store(db, campaign, questionnaire, shop())
    sheet = tmp_path / "merchants.csv"
    sheet.write_text("serial,outlet_name,outlet_address,outlet_type,is_chain,open_24h,qr_payment\n"
                     "M1,好邻居便利店(幸福路店),幸福路 １２號,convenience_store,yes,no,yes\n"
                     "M2,王记修鞋,和平街3号,repair,no,no,no\n", encoding="utf-8")
    import_file(db, campaign, questionnaire, sheet)
    outlets = sorted(outlets_of(db, circle.id), key=lambda o: o.id)
    assert [o.possible_duplicate_of for o in outlets] == [None, outlets[0].id, None]
    assert outlets[2].name == "王记修鞋" and outlets[2].qr_payment is False


def test_excluded_responses_build_nothing(db, merchant):
    circle, campaign, questionnaire = merchant
    record_many(db, campaign, questionnaire, [
        NewResponse(channel="paper", serial="M1", answers=validate_answers(questionnaire, shop())[0]),
        NewResponse(channel="paper", serial="M1", answers=validate_answers(questionnaire, shop())[0]),  # same form twice
        NewResponse(channel="paper", complete=False, answers={"outlet_name": "半张问卷"}),
    ])
    assert len(outlets_of(db, circle.id)) == 1


def test_merge_keeps_one_outlet_and_records_every_response(db, merchant):
    circle, campaign, questionnaire = merchant
    responses = store(db, campaign, questionnaire, shop(), shop(open_24h="no", listed_on_platform="no"))
    first, second = sorted(outlets_of(db, circle.id), key=lambda o: o.id)
    kept = merge(db, second, first, use_newer=True)
    assert kept.id == first.id and kept.response_ids == sorted(r.id for r in responses)
    assert kept.is_24h is False and kept.listed_on_platform is False  # the later answer wins
    assert kept.name == "好邻居便利店（幸福路店）"
    db.refresh(second)
    assert second.status == "merged" and second.merged_into == first.id and second.possible_duplicate_of is None
    assert [o.id for o in outlets_of(db, circle.id)] == [first.id]
    assert fact_suggestions(db, circle.id)["store_breakfast"]["stores_24h"].value == 0
    with pytest.raises(OutletError):
        merge(db, second, first)


def test_merge_can_keep_the_original_answers(db, merchant):
    circle, campaign, questionnaire = merchant
    store(db, campaign, questionnaire, shop(), shop(open_24h="no"))
    first, second = sorted(outlets_of(db, circle.id), key=lambda o: o.id)
    assert merge(db, second, first, use_newer=False).is_24h is True


def test_separate_counts_a_lookalike_as_its_own_outlet(db, merchant):
    circle, campaign, questionnaire = merchant
    store(db, campaign, questionnaire, shop(), shop())
    first, second = sorted(outlets_of(db, circle.id), key=lambda o: o.id)
    separate(db, second)
    assert fact_suggestions(db, circle.id)["chain_share"]["total_outlets"].value == 2
    with pytest.raises(OutletError):
        separate(db, second)
    store(db, campaign, questionnaire, shop())  # a third answer still points at the first
    third = max(outlets_of(db, circle.id), key=lambda o: o.id)
    assert third.possible_duplicate_of == first.id


def test_assessor_adds_an_outlet_and_closes_one(db, merchant):
    circle, campaign, questionnaire = merchant
    store(db, campaign, questionnaire, shop())
    added = add_outlet(db, circle.id, "李师傅修鞋", "和平街5号", "repair", repair_categories=["shoes"])
    assert added.source == "assessor" and added.response_ids == [] and added.possible_duplicate_of is None
    again = add_outlet(db, circle.id, "好邻居便利店（幸福路店）", "幸福路12号", "convenience_store")
    assert again.possible_duplicate_of is not None
    with pytest.raises(OutletError):
        add_outlet(db, circle.id, "  ", "", "repair")
    set_status(db, added, "closed")
    assert "repair" not in presence_suggestions(db, circle.id)
    assert "repair_categories" not in fact_suggestions(db, circle.id).get("market_repair", {})
    set_status(db, added, "open")
    assert presence_suggestions(db, circle.id)["repair"] == 1
    with pytest.raises(OutletError):
        set_status(db, added, "gone")


def test_outlets_stay_in_their_circle(db, merchant):
    circle, campaign, questionnaire = merchant
    other = make_circle(db, name="另一个生活圈")
    other_campaign = make_campaign(db, other, MERCHANT)
    store(db, campaign, questionnaire, shop())
    store(db, other_campaign, questionnaire, shop())
    mine, theirs = outlets_of(db, circle.id), outlets_of(db, other.id)
    assert len(mine) == len(theirs) == 1 and theirs[0].possible_duplicate_of is None
    with pytest.raises(OutletError):
        merge(db, theirs[0], mine[0])
    assert db.exec(select(Response)).all()
