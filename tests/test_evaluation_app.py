"""Evaluations through the database, the CLI and the staff pages: a worked case by hand,
rounds, rules snapshots, and a city's own rules file."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from surveyapp.auth.users import create_user, grant_circle
from datetime import date

from surveyapp.evaluation.operations import (EvaluationError, confirm_open_campaign, open_evaluation, save_facts,
                                            save_inventory)
from surveyapp.reporting.operations import issue_evaluation
from surveyapp.evaluation.registry import current_rules
from surveyapp.evaluation.service import circle_history, evaluation_sheet
from surveyapp.questionnaire import load_questionnaire
from surveyapp.responses.operations import NewResponse, record_many

from .conftest import csrf_token
from .helpers import APP_QUESTIONNAIRES, DATA, make_campaign, make_circle
from .test_auth import login

SCORED = APP_QUESTIONNAIRES / "scored.yaml"
RULES = Path(__file__).parent.parent / "rules"

WORKED_FACTS = {
    "needs": {"lists_exist": True, "projects_carried_out": True},                                  # 8
    "store_breakfast": {"addon_services": 7, "stores_24h": 2, "breakfast_varieties": 8,
                        "breakfast_delivery": True, "retail_delivery": True},                        # 4+4+1+1 = 10
    "market_repair": {"market_present": True, "market_area_sufficient": True,
                      "market_services": ["rapid_testing", "fair_scale", "price_display"],
                      "repair_categories": 8},                                                       # 5+5 = 10
    "elderly_childcare": {"elderly_site_present": True, "elderly_area_sufficient": True,
                          "elderly_services": ["meal_assistance", "day_care", "health_service", "recreation"],
                          "childcare_site_present": True, "childcare_area_sufficient": False,
                          "childcare_services": ["full_time_care", "day_care", "half_day_care", "hourly_care"]},  # 5 + (5−1−0.6) = 8.4
    "chain_share": {"chain_outlets": 20, "total_outlets": 100},                                       # 20% in a tier-3 city → 6
    "promotion": {"events": 4},                                                                      # 4
    "digital": {"qr_payment_main_venues": True, "smart_terminal_types": ["parcel_locker", "meal_locker", "vending",
                                                                          "water_vending", "self_service_24h"],
                "listed_share": 0.7, "resident_usage_share": 0.49, "platform_exists": True},         # 2+2+2+0+2 = 8
    "harmony": {"level": "mostly_met"},                                                              # 4
}


pytestmark = pytest.mark.usefixtures("app_questionnaires")


def survey(db, circle, business_satisfied, service_satisfied, n=30):
    questionnaire = load_questionnaire(SCORED)
    campaign = make_campaign(db, circle, SCORED)
    record_many(db, campaign, questionnaire, [NewResponse(channel="paper", answers={
        "community": "东社区",
        "business_overall": "5" if i < business_satisfied else "2",
        "service_overall": "4" if i < service_satisfied else "3"}) for i in range(n)])
    return campaign


def fill_worked_case(app, db, circle, campaign):
    with app.app_context():
        rules = current_rules("national")
        evaluation = open_evaluation(db, circle, rules, campaign)
        quality = [e.code for e in rules.catalogue.entries if e.group == "quality"][:8]
        save_inventory(db, evaluation, rules, {code: {"outlets": 2} for code in [*rules.required_types, *quality]})
        for key, facts in WORKED_FACTS.items():
            save_facts(db, evaluation, rules, key, facts, self_points=None, city_tier=circle.city_tier)
    return evaluation


@pytest.fixture
def circle(db):
    return make_circle(db, name="五星生活圈", population=1000, communities=(("东社区", 1000),))


def test_worked_case_reaches_five_stars(app, db, circle):
    campaign = survey(db, circle, business_satisfied=27, service_satisfied=24)  # 90% → 16, 80% → 10
    evaluation = fill_worked_case(app, db, circle, campaign)
    with app.app_context():
        sheet = evaluation_sheet(db, evaluation)
    assert sheet["presence"]["total"] == 100 and sheet["presence"]["initial_type"]["label"] == "品质型"
    points = {i["key"]: i["points"] for i in sheet["service"]["indicators"]}
    assert points == {"needs": 8, "business_satisfaction": 16, "service_satisfaction": 10, "store_breakfast": 10,
                      "market_repair": 10, "elderly_childcare": pytest.approx(8.4), "chain_share": 6, "promotion": 4,
                      "digital": 8, "harmony": 4}
    # 8 + 16 + 10 + 10 + 10 + 8.4 + 6 + 4 + 8 + 4 = 84.4 → 良好; ≥ 70 so the type stands
    assert sheet["service"]["total"] == pytest.approx(84.4)
    assert sheet["outcome"]["grade"]["label"] == "良好"
    assert sheet["outcome"]["final_type"]["label"] == "品质型" and sheet["outcome"]["stars"] == 5
    assert sheet["rules"]["name"] == "national" and sheet["rules"]["trial"] is True


def test_no_campaign_means_no_satisfaction_points(app, db, circle):
    evaluation = fill_worked_case(app, db, circle, None)
    with app.app_context():
        sheet = evaluation_sheet(db, evaluation)
    # 84.4 − 16 − 10 = 58.4 → 不合格 and no type, with the reason
    assert sheet["service"]["total"] == pytest.approx(58.4)
    assert sheet["outcome"]["final_type"] is None and "低于 70 分" in sheet["outcome"]["reason"]


def test_rounds_count_up_and_compare_satisfaction(app, db, circle):
    first = fill_worked_case(app, db, circle, survey(db, circle, 27, 24))
    second = fill_worked_case(app, db, circle, survey(db, circle, 28, 24))
    assert (first.round, second.round) == (1, 2)
    with app.app_context():
        # Drafts are not results: both rounds show 进行中, no grade and no movement.
        drafts = circle_history(db, circle)
        assert [(h["status_label"], h["grade"], h["movement"]) for h in drafts] == [("进行中", None, None)] * 2
        for evaluation in (first, second):
            confirm_open_campaign(db, evaluation, True)
            issue_evaluation(db, evaluation, user_id=None, issuer_name="测试", issued_on=date(2026, 12, 1))
        history = circle_history(db, circle)
    assert [h["round"] for h in history] == [1, 2] and history[1]["movement"] == "same"
    change = history[1]["satisfaction_changes"]["business_satisfaction"]
    # 27/30 → 28/30: pooled 55/60; se = sqrt(0.91667·0.08333·2/30) = 0.071362; z = 0.033333/0.071362 = 0.46710
    assert change["z"] == pytest.approx(0.46710, abs=1e-4) and change["significant"] is False
    assert change["p_value"] == pytest.approx(0.6404, abs=1e-3)


def test_campaign_of_another_circle_is_refused(app, db, circle):
    other = make_circle(db, name="别处")
    with app.app_context(), pytest.raises(EvaluationError):
        open_evaluation(db, circle, current_rules("national"), survey(db, other, 1, 1))


def test_an_evaluation_keeps_its_rules_when_the_file_changes(app, db, circle, tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder)
    shutil.copytree(RULES.parent / "questionnaires" / "catalogues", tmp_path / "questionnaires" / "catalogues")
    app.config["RULES_DIR"] = str(folder)
    evaluation = fill_worked_case(app, db, circle, None)
    text = (folder / "national.yaml").read_text(encoding="utf-8")
    changed = text.replace("version: \"2023.11.1\"", "version: \"2099.1\"", 1)
    assert changed != text
    (folder / "national.yaml").write_text(changed, encoding="utf-8")
    with app.app_context():
        before = evaluation_sheet(db, evaluation)["service"]["total"]
        app.extensions.pop("surveyapp.rules", None)
        assert evaluation_sheet(db, evaluation)["service"]["total"] == before
        assert evaluation_sheet(db, evaluation)["rules"]["content_hash"] == evaluation.rules_hash


def test_a_city_rules_file_changes_the_result_without_code(app, db, circle, runner):
    app.config["RULES_DIR"] = str(DATA / "rules")
    created = json.loads(runner.invoke(args=["evaluation", "create", "--circle", str(circle.id), "--rules", "city",
                                             "--json"]).stdout)
    assert created["rules"]["name"] == "testcity"
    app.config["RULES_DIR"] = str(RULES)
    national = json.loads(runner.invoke(args=["evaluation", "create", "--circle", str(circle.id), "--json"]).stdout)
    present = "convenience_store,supermarket,wet_market,fresh_grocery,breakfast,canteen_dining,pharmacy"
    for evaluation in (created, national):
        result = runner.invoke(args=["evaluation", "inventory", "--evaluation", str(evaluation["id"]), "--present", present])
        assert result.exit_code == 0, result.output
    city = json.loads(runner.invoke(args=["evaluation", "show", "--circle", str(circle.id), "--round", "1", "--json"]).stdout)
    default = json.loads(runner.invoke(args=["evaluation", "show", "--circle", str(circle.id), "--round", "2", "--json"]).stdout)
    assert len([r for r in city["inventory"] if r["group"] == "basic"]) == 23  # the city's own catalogue
    assert len([r for r in default["inventory"] if r["group"] == "basic"]) == 20
    assert city["presence"]["required_count"] == 15 and default["presence"]["required_count"] == 15
    assert {m["code"] for m in city["presence"]["missing_required"]} != {m["code"] for m in default["presence"]["missing_required"]}


def test_cli_show_json_matches_the_sheet_and_explains_facts(app, db, circle, runner):
    evaluation = fill_worked_case(app, db, circle, survey(db, circle, 27, 24))
    shown = json.loads(runner.invoke(args=["evaluation", "show", "--circle", str(circle.id), "--json"]).stdout)
    with app.app_context():
        expected = evaluation_sheet(db, evaluation)
    # the sheet, plus what is missing before the round can be issued (the campaign is still open)
    assert shown["evaluation"].pop("missing") == [
        {"code": "campaign_open", "message": f"居民问卷调查 #{evaluation.campaign_id} 仍在进行：请等它结束，或确认用目前的数据签发",
         "page": "campaign", "key": None}]
    assert shown == expected and shown["evaluation"]["state"] == "draft" and shown["evaluation"]["state_label"] == "草稿"
    plain = runner.invoke(args=["evaluation", "show", "--circle", str(circle.id)]).output
    assert "品质型 五星" in plain and "84.4" in plain
    bad = runner.invoke(args=["evaluation", "facts", "--evaluation", str(evaluation.id), "--indicator", "digital",
                              "--set", "listed_share=lots"])
    assert bad.exit_code != 0 and "小数" in bad.output
    missing = runner.invoke(args=["evaluation", "show", "--circle", "999"])
    assert missing.exit_code != 0 and "没有" in missing.output


@pytest.fixture
def assessor_client(db, client, circle):
    user = create_user(db, "assessor1", "long-password", "assessor")
    grant_circle(db, user, circle)
    login(client, "assessor1", "long-password")
    return client


def test_browser_flow_inventory_facts_sheet(app, db, circle, assessor_client):
    client = assessor_client
    page = client.get(f"/staff/circles/{circle.id}").get_data(as_text=True)
    step = client.post(f"/staff/circles/{circle.id}", data={"csrf_token": csrf_token(page), "campaign": "",
                                                           "rules": "national"})
    assert step.status_code == 200 and "确认开始第 1 轮评价" in step.get_data(as_text=True)
    response = client.post(f"/staff/circles/{circle.id}", data={"csrf_token": csrf_token(page), "campaign": "",
                                                               "rules": "national", "confirmed": "yes"})
    assert response.status_code == 302
    sheet_url = response.headers["Location"]
    evaluation_id = int(sheet_url.rstrip("/").split("/")[-1])
    form = client.get(f"/staff/evaluations/{evaluation_id}/inventory").get_data(as_text=True)
    data = {"csrf_token": csrf_token(form), "present_convenience_store": "y", "outlets_convenience_store": "3",
            "outlets_pharmacy": "two", "evidence_pharmacy": "保留这段说明"}
    bad = client.post(f"/staff/evaluations/{evaluation_id}/inventory", data=data)
    assert bad.status_code == 422 and "请填写整数" in bad.get_data(as_text=True)
    assert "保留这段说明" in bad.get_data(as_text=True)
    data["outlets_pharmacy"] = "2"
    assert client.post(f"/staff/evaluations/{evaluation_id}/inventory", data=data).status_code == 302
    facts_page = client.get(f"/staff/evaluations/{evaluation_id}/indicators/chain_share").get_data(as_text=True)
    client.post(f"/staff/evaluations/{evaluation_id}/indicators/chain_share", data={
        "csrf_token": csrf_token(facts_page), "fact_chain_outlets": "20", "fact_total_outlets": "100", "self_points": "6"})
    sheet = client.get(sheet_url).get_data(as_text=True)
    assert "药店" in sheet or "缺少的必备业态" in sheet
    with app.app_context():
        from surveyapp.models import Evaluation
        document = evaluation_sheet(db, db.get(Evaluation, evaluation_id))
    chain = next(i for i in document["service"]["indicators"] if i["key"] == "chain_share")
    assert chain["points"] == 6 and chain["self_points"] == 6
    assert document["presence"]["required_present"] == 2


def test_indicator_form_reports_bad_values_in_chinese(app, db, circle, assessor_client):
    evaluation = fill_worked_case(app, db, circle, None)
    page = assessor_client.get(f"/staff/evaluations/{evaluation.id}/indicators/digital").get_data(as_text=True)
    response = assessor_client.post(f"/staff/evaluations/{evaluation.id}/indicators/digital", data={
        "csrf_token": csrf_token(page), "fact_listed_share": "很多", "self_points": "11"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "小数" in html and "0 到 10" in html


def test_other_circles_evaluations_are_404(app, db, circle, assessor_client):
    other = make_circle(db, name="别的生活圈")
    foreign = fill_worked_case(app, db, other, None)
    for url in [f"/staff/circles/{other.id}", f"/staff/evaluations/{foreign.id}",
                f"/staff/evaluations/{foreign.id}/inventory", f"/staff/evaluations/{foreign.id}/indicators/digital"]:
        assert assessor_client.get(url).status_code == 404, url


def test_needs_form_shows_the_communitys_suggestion(app, db, circle, assessor_client):
    evaluation = fill_worked_case(app, db, circle, None)
    html = assessor_client.get(f"/staff/evaluations/{evaluation.id}/indicators/needs").get_data(as_text=True)
    assert "社区清单给出的建议" in html and "不全（建议 0 分）" in html  # no survey, no projects yet
    other = assessor_client.get(f"/staff/evaluations/{evaluation.id}/indicators/digital").get_data(as_text=True)
    assert "社区清单给出的建议" not in other


def test_a_new_round_defaults_to_a_survey_no_other_round_scores_from(app, db, circle, assessor_client):
    """Round 1 scored from last year's (closed) survey; this year's survey is still open. The
    selector must offer this year's first (closed-first order alone would put last year's on top
    and score round 2 from round 1's answers), say which round used the old one, and the
    round's own sheet must not call its own survey "used"."""
    old = make_campaign(db, circle, SCORED, opens_in_days=-400, closes_in_days=-370)
    with app.app_context():
        first = open_evaluation(db, circle, current_rules("national"), old)
    current = make_campaign(db, circle, SCORED, opens_in_days=-5, closes_in_days=20)

    page = assessor_client.get(f"/staff/circles/{circle.id}").get_data(as_text=True)
    options = re.findall(r'<option([^>]*)value="(\d*)"[^>]*>([^<]*)</option>', page)
    offered = [(value, label) for _attrs, value, label in options if value or "暂不关联" in label]
    assert [value for value, _ in offered] == [str(current.id), str(old.id), ""]
    selected = [value for attrs, value, _ in options if "selected" in attrs]
    assert selected == [str(current.id)]
    assert "进行中" in offered[0][1] and "已用于" not in offered[0][1]
    assert "已结束" in offered[1][1] and "（已用于第 1 轮）" in offered[1][1]

    sheet = assessor_client.get(f"/staff/evaluations/{first.id}").get_data(as_text=True)
    own = re.search(rf'<option[^>]*value="{old.id}"[^>]*>([^<]*)</option>', sheet).group(1)
    assert "已用于" not in own
