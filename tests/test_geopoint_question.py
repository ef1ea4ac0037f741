"""The geopoint question type: the file format, validation shared by phone and paper, the phone
form (使用当前位置 / pin, datum conversion) and the rules file's coverage section."""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from sqlmodel import select

from surveyapp.evaluation.rules import RulesError, load_rules, load_rules_text
from surveyapp.geo import GeoPoint, wgs84_to_gcj02
from surveyapp.geo.distance import distance_m
from surveyapp.models import Response
from surveyapp.questionnaire import QuestionnaireError, load_questionnaire_text, validate_answers

from .conftest import csrf_token
from .helpers import PROJECT_QUESTIONNAIRES, make_campaign, make_circle

ROOT = Path(__file__).parent.parent
BASE = """\
name: where
version: "1"
title: 位置
notice: 说明
estimated_minutes: 1
sections:
  - name: s
    label: 门店
    questions:
      - name: shop
        type: text
        label: 店名
      - name: spot
        type: geopoint
        label: 门店位置
        required: true
"""


def test_geopoint_loads_with_required_only():
    q = load_questionnaire_text(BASE)
    assert q.question("spot").type == "geopoint" and q.question("spot").required


@pytest.mark.parametrize("extra, message", [
    ("        min: 1\n", "'min' is not allowed on a geopoint question"),
    ("        constraint: . != ''\n", "'constraint' is not allowed on a geopoint question"),
    ("        indicator: business_detail\n", "'indicator' is not allowed"),
])
def test_geopoint_refuses_keys_it_cannot_use(extra, message):
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire_text(BASE + extra)
    assert message in str(caught.value)


def test_an_expression_cannot_read_a_location():
    text = BASE + "      - name: later\n        type: text\n        label: 备注\n        relevant: ${spot} != ''\n"
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire_text(text)
    assert "a geopoint (a location cannot be compared)" in str(caught.value)


def test_validation_stores_wgs84_with_accuracy_and_speaks_chinese():
    q = load_questionnaire_text(BASE)
    clean, errors = validate_answers(q, {"spot": "39.9042 116.4074 50 12.5"})
    assert not errors and clean["spot"] == {"lat": 39.9042, "lon": 116.4074, "accuracy": 12.5}
    clean, errors = validate_answers(q, {"spot": "３９.９０４２，１１６.４０７４"})  # typed from paper
    assert clean["spot"] == {"lat": 39.9042, "lon": 116.4074, "accuracy": None}
    assert validate_answers(q, {})[1]["spot"] == "请回答这一题"
    assert validate_answers(q, {"spot": "116.4 39.9 0 5 7"})[1]["spot"].startswith("请填写“纬度 经度”")
    assert validate_answers(q, {"spot": "95 116"})[1]["spot"] == "纬度应在 -90 到 90 之间"


def test_merchant_questionnaire_asks_location_and_consent():
    from surveyapp.questionnaire import load_questionnaire

    q = load_questionnaire(PROJECT_QUESTIONNAIRES / "merchant.yaml")
    assert q.question("outlet_location").type == "geopoint" and not q.question("outlet_location").required
    assert [c.name for c in q.question("public_listing").choices] == ["yes", "no"]
    assert q.version == "2026.3"


def test_format_documentation_describes_geopoint():
    doc = (ROOT / "docs" / "questionnaire-format.md").read_text(encoding="utf-8")
    assert "geopoint" in doc and "WGS-84" in doc and "GCJ-02" in doc


@pytest.fixture
def merchant_campaign(db):
    circle = make_circle(db)
    return make_campaign(db, circle, PROJECT_QUESTIONNAIRES / "merchant.yaml")


def _post(client, campaign, **fields):
    page = client.get(f"/s/{campaign.token}/answer").get_data(as_text=True)
    # "js": a browser running the page's script (follow-ups shown at once, as the widget needs)
    data = {"csrf_token": csrf_token(page), "js": "1", "q_outlet_name": "好邻居", "q_outlet_address": "幸福路1号",
            "q_outlet_type": "convenience_store", "q_is_chain": "no", "q_open_24h": "yes", "q_qr_payment": "yes",
            **fields}
    return page, client.post(f"/s/{campaign.token}/answer", data=data)


def test_phone_form_shows_the_widget_and_stores_a_gps_fix(client, db, merchant_campaign):
    page, response = _post(client, merchant_campaign, q_outlet_location="39.9042 116.4074 0 8",
                           q_outlet_location_datum="wgs84")
    assert "使用当前位置" in page and "在地图上选点" in page and "geopoint.js" in page
    assert response.status_code == 303
    [row] = db.exec(select(Response)).all()
    assert row.answers["outlet_location"] == {"lat": 39.9042, "lon": 116.4074, "accuracy": 8.0}


def test_a_pin_on_gcj02_tiles_is_stored_as_wgs84(client, db, merchant_campaign):
    lat, lon = wgs84_to_gcj02(39.9042, 116.4074)
    _page, response = _post(client, merchant_campaign, q_outlet_location=f"{lat:.7f} {lon:.7f}",
                            q_outlet_location_datum="gcj02")
    assert response.status_code == 303
    [row] = db.exec(select(Response)).all()
    stored = row.answers["outlet_location"]
    assert stored["accuracy"] is None
    assert distance_m(GeoPoint(stored["lat"], stored["lon"]), GeoPoint(39.9042, 116.4074)) < 0.05


def test_a_bad_location_keeps_what_was_typed(client, db, merchant_campaign):
    _page, response = _post(client, merchant_campaign, q_outlet_location="幸福路口")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "请填写“纬度 经度”两个数字" in body and 'value="幸福路口"' in body and "好邻居" in body
    assert db.exec(select(Response)).all() == []


def test_national_rules_carry_trial_coverage_settings():
    rules = load_rules(ROOT / "rules" / "national.yaml")
    coverage = rules.coverage
    assert coverage.trial and rules.trial
    assert (coverage.walking_speed_m_per_min, coverage.detour_factor, coverage.max_minutes) == (80, Fraction("1.2"), 15)
    assert coverage.presence_min_share is None
    assert coverage.walk().radius_m(coverage.max_minutes) == pytest.approx(1000)


def _with_coverage(section: str) -> str:
    text = (ROOT / "rules" / "national.yaml").read_text(encoding="utf-8")
    return text[:text.index("coverage:\n")] + section


def test_rules_coverage_section_is_checked():
    path = ROOT / "rules" / "national.yaml"
    bad = _with_coverage("coverage:\n  label: x\n  walking_speed_m_per_min: 80\n  detour_factor: 0.9\n  max_minutes: 15\n")
    with pytest.raises(RulesError) as caught:
        load_rules_text(bad, path)
    assert "detour_factor" in str(caught.value) and "at least 1" in str(caught.value)
    with pytest.raises(RulesError):
        load_rules_text(_with_coverage("coverage:\n  label: x\n  walking_speed_m_per_min: 80\n"), path)
    ok = load_rules_text(_with_coverage("coverage:\n  label: x\n  walking_speed_m_per_min: 75\n  detour_factor: 1.3\n"
                                        "  max_minutes: 15\n  presence_min_share: 0.8\n"), path)
    assert ok.coverage.presence_min_share == Fraction(4, 5) and not ok.coverage.trial
    assert load_rules_text(_with_coverage(""), path).coverage is None
