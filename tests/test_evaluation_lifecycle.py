"""The life of an evaluation round: 草稿 → 待签发 → 已签发 → 已撤回 / 已更正, the completeness
check, freezing every input at issue, corrections under a new number, and the survey kinds
(only resident surveys feed #2/#3 or a satisfaction report)."""
from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from surveyapp.evaluation import states
from surveyapp.evaluation.completeness import gaps
from surveyapp.evaluation.operations import (EvaluationError, IncompleteEvaluation, delete_draft, mark_ready,
                                            open_evaluation, save_facts, save_inventory, set_campaign,
                                            start_correction, withdraw)
from surveyapp.evaluation.registry import current_rules
from surveyapp.evaluation.service import circle_history, evaluation_sheet
from surveyapp.models import AuditEntry, Evaluation, FrozenEvaluation, IssuedReport
from surveyapp.models.timeutil import utcnow
from surveyapp.questionnaire import load_questionnaire
from surveyapp.reporting.data import fingerprint, report_data
from surveyapp.reporting.operations import ReportRefused, issue, issue_evaluation, preview_evaluation, rerender
from surveyapp.responses.operations import NewResponse, record_many

from .helpers import APP_QUESTIONNAIRES, PROJECT_QUESTIONNAIRES, complete_round, make_campaign, make_circle

SCORED = APP_QUESTIONNAIRES / "scored.yaml"
RULES = Path(__file__).parent.parent / "rules"
ISSUED_ON = date(2026, 12, 1)

pytestmark = pytest.mark.usefixtures("app_questionnaires")


def pdf_pages(content: bytes, tmp_path) -> list[str]:
    """Each page's text in drawing order (``-raw``: a rotated mark stays one run), whitespace removed."""
    path = tmp_path / "r.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout
    return ["".join(page.split()) for page in text.split("\f") if page.strip()]


def add(db, campaign, n, satisfied):
    record_many(db, campaign, load_questionnaire(SCORED), [NewResponse(channel="paper", answers={
        "community": "东社区", "business_overall": "5" if i < satisfied else "2",
        "service_overall": "4" if i < satisfied else "3"}) for i in range(n)])


@pytest.fixture
def circle(db):
    return make_circle(db, name="生命周期生活圈", population=1000, communities=(("东社区", 1000),))


@pytest.fixture
def resident(db, circle):
    campaign = make_campaign(db, circle, SCORED)
    add(db, campaign, 30, 27)   # 27/30 = 90% with 30 ≥ ⌈3% × 1000⌉ → 16 points each
    return campaign


@pytest.fixture
def merchant(db, circle):
    return make_campaign(db, circle, PROJECT_QUESTIONNAIRES / "merchant.yaml")


@pytest.fixture
def draft(app, db, circle, resident):
    with app.app_context():
        return open_evaluation(db, circle, current_rules("national"), resident)


def test_an_empty_round_lists_everything_missing_and_cannot_be_ready(app, db, draft):
    with app.app_context():
        missing = gaps(db, draft, utcnow())
        # the inventory, the 8 inspection indicators, and the resident campaign still open
        assert [g.code for g in missing] == ["inventory"] + ["facts"] * 8 + ["campaign_open"]
        assert missing[1].page == "indicator" and missing[1].key == "needs"
        with pytest.raises(IncompleteEvaluation) as refused:
            mark_ready(db, draft)
        assert len(refused.value.gaps) == 10
        assert draft.state == states.DRAFT


def test_partial_facts_and_a_reasonless_not_applicable_are_gaps(app, db, draft):
    with app.app_context():
        rules = current_rules("national")
        complete_round(db, draft)
        save_facts(db, draft, rules, "promotion", {})                       # not applicable → blank again
        save_facts(db, draft, rules, "store_breakfast", {"addon_services": 7})
        missing = {g.key: g.message for g in gaps(db, draft, utcnow())}
        assert set(missing) == {"promotion", "store_breakfast"}
        assert "还有 4 项未填写" in missing["store_breakfast"]
        with pytest.raises(EvaluationError, match="理由"):
            save_facts(db, draft, rules, "promotion", {}, note="  ", not_applicable=True)


def test_a_complete_round_becomes_ready_and_an_edit_that_breaks_it_goes_back_to_draft(app, db, draft):
    with app.app_context():
        complete_round(db, draft)
        mark_ready(db, draft)
        assert draft.state == states.READY
        save_facts(db, draft, current_rules("national"), "harmony", {})   # now blank: incomplete
        assert draft.state == states.DRAFT
        actions = [e.action for e in db.exec(select(AuditEntry).where(AuditEntry.target_id == str(draft.id)))]
        assert "evaluation.ready" in actions and "evaluation.state" in actions


def test_a_not_applicable_indicator_scores_zero_with_its_reason(app, db, draft):
    with app.app_context():
        complete_round(db, draft, reason="本生活圈没有菜市场规划用地")
        sheet = evaluation_sheet(db, draft)
    item = next(i for i in sheet["service"]["indicators"] if i["key"] == "market_repair")
    assert item["points"] == 0 and item["not_applicable"] is True
    assert item["steps"] == ["不适用，记 0 分（理由：本生活圈没有菜市场规划用地）"]


def test_only_a_draft_can_be_deleted(app, db, circle, draft):
    with app.app_context():
        complete_round(db, draft)
        mark_ready(db, draft)
        with pytest.raises(EvaluationError, match="只有草稿"):
            delete_draft(db, draft)
        other = open_evaluation(db, circle, current_rules("national"), None)
        save_inventory(db, other, current_rules("national"), {"convenience_store": {"outlets": 2}})
        other_id = other.id
        delete_draft(db, other)
    assert db.get(Evaluation, other_id) is None
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "evaluation.delete")).one()
    assert entry.before["inventory"]["convenience_store"]["outlets"] == 2


def test_issue_freezes_every_input_and_new_data_leave_the_round_alone(app, db, resident, draft, tmp_path):
    """After issuing: new responses, a rules file edit and a settings change move nothing."""
    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder)
    shutil.copytree(RULES.parent / "questionnaires" / "catalogues", tmp_path / "questionnaires" / "catalogues")
    app.config["RULES_DIR"] = str(folder)
    with app.app_context():
        complete_round(db, draft)
        issued = issue_evaluation(db, draft, user_id=None, issuer_name="评估员", issued_on=ISSUED_ON)
        assert issued.report_number == "PJ-2026-0001" and draft.state == states.ISSUED
        frozen = db.get(FrozenEvaluation, draft.id)
        assert frozen.fingerprint == issued.data_fingerprint
        assert set(frozen.document) == {"sheet", "report_data"}
        before = evaluation_sheet(db, draft)
        survey = before["survey"]["indicators"]["business_satisfaction"]
        assert (survey["satisfied"], survey["answered"], before["survey"]["sample"]["required"]) == (27, 30, 30)

        add(db, resident, 30, 0)                                    # 27/60 = 45% now
        text = (folder / "national.yaml").read_text(encoding="utf-8")
        (folder / "national.yaml").write_text(text.replace("sample_rate: 0.03", "sample_rate: 0.05"),
                                              encoding="utf-8")
        app.config["DEFAULT_RULES"] = "national"
        app.config["TOO_FAST_FRACTION"] = "1/2"
        app.extensions.pop("surveyapp.rules", None)
        after = evaluation_sheet(db, draft)
        assert after == before
        assert fingerprint(report_data(db, resident, draft)) == issued.data_fingerprint
        assert rerender(db, issued)[0] == issued.content
        with pytest.raises(EvaluationError, match="已签发"):
            save_facts(db, draft, current_rules("national"), "promotion", {"events": 6})
        with pytest.raises(EvaluationError, match="已签发"):
            set_campaign(db, draft, None)
        # the live campaign summary has moved on (45%, and the edited file asks for 5%)
        from surveyapp.results.service import summary_for
        live = summary_for(db, resident)
        assert live["indicators"]["business_satisfaction"]["satisfied"] == 27
        assert live["indicators"]["business_satisfaction"]["answered"] == 60
        assert live["sample"]["rate"] == 0.05 and live["sample"]["required"] == 50


def test_withdraw_needs_a_reason_keeps_the_bytes_and_leaves_the_history(app, db, circle, draft):
    with app.app_context():
        complete_round(db, draft)
        issued = issue_evaluation(db, draft, user_id=None, issuer_name="评估员", issued_on=ISSUED_ON)
        content = issued.content
        with pytest.raises(EvaluationError, match="理由"):
            withdraw(db, draft, " ")
        withdraw(db, draft, "关联了错误的问卷调查")
        history = circle_history(db, circle)
    assert draft.state == states.WITHDRAWN and draft.state_reason == "关联了错误的问卷调查"
    report = db.get(IssuedReport, issued.id)
    assert report.content == content and report.withdrawn_reason == "关联了错误的问卷调查"
    assert [(h["status_label"], h["grade"]) for h in history] == [("已撤回", None)]


def test_a_correction_gets_a_new_number_that_names_the_one_it_replaces(app, db, circle, draft, tmp_path):
    with app.app_context():
        complete_round(db, draft)
        first = issue_evaluation(db, draft, user_id=None, issuer_name="评估员", issued_on=ISSUED_ON)
        with pytest.raises(EvaluationError, match="理由"):
            start_correction(db, draft, "")
        correction = start_correction(db, draft, "促消费活动场次录入有误")
        assert (correction.round, correction.revision, correction.corrects_id) == (draft.round, 1, draft.id)
        assert correction.state == states.DRAFT and draft.state == states.ISSUED
        with pytest.raises(EvaluationError, match="已有一份更正稿"):
            start_correction(db, draft, "再来一次")
        # the copy has every input: it is complete as it stands
        assert gaps(db, correction, utcnow()) == []
        save_facts(db, correction, current_rules("national"), "promotion", {"events": 4})
        second = issue_evaluation(db, correction, user_id=None, issuer_name="评估员", issued_on=ISSUED_ON)
        old_sheet, new_sheet = evaluation_sheet(db, draft), evaluation_sheet(db, correction)
        history = circle_history(db, circle)
    assert second.report_number == "PJ-2026-0002" and second.replaces_id == first.id
    assert draft.state == states.CORRECTED and correction.state == states.ISSUED
    assert old_sheet["evaluation"]["replaced_by_report"] == "PJ-2026-0002"
    assert new_sheet["evaluation"]["replaces_report"] == "PJ-2026-0001"
    promotion = next(i for i in new_sheet["service"]["indicators"] if i["key"] == "promotion")
    assert promotion["points"] == 4
    assert db.get(IssuedReport, first.id).content == first.content            # the old bytes are kept
    assert all("取代PJ-2026-0001" in page for page in pdf_pages(second.content, tmp_path))
    # the history shows the round once, with the correction's result
    assert len(history) == 1 and history[0]["evaluation"] == correction.id and history[0]["result"]
    assert [r["state"] for r in history[0]["revisions"]] == ["corrected", "issued"]


def test_the_preview_is_marked_on_every_page(app, db, draft, tmp_path):
    with app.app_context():
        complete_round(db, draft)
        content = preview_evaluation(db, draft, assessor="评估员", issued_on=ISSUED_ON)
    pages = pdf_pages(content, tmp_path)
    assert len(pages) > 3 and all("预览·未签发" in page for page in pages)


def test_the_cli_refuses_an_incomplete_round_and_lists_what_is_missing(app, db, runner, draft, tmp_path):
    result = runner.invoke(args=["report", "--evaluation", str(draft.id), "--issue", "--out", str(tmp_path / "x.pdf")])
    assert result.exit_code != 0
    assert "不完整" in result.output and "业态清单（有没有）尚未保存" in result.output and "“问需”" in result.output
    assert not (tmp_path / "x.pdf").exists()
    assert db.exec(select(IssuedReport)).first() is None
    ready = runner.invoke(args=["evaluation", "ready", "--evaluation", str(draft.id)])
    assert ready.exit_code != 0 and "缺少" in ready.output


def test_the_cli_walks_the_life_cycle(app, db, runner, circle, draft, tmp_path):
    with app.app_context():
        complete_round(db, draft)
    assert runner.invoke(args=["evaluation", "ready", "--evaluation", str(draft.id)]).exit_code == 0
    issued = runner.invoke(args=["report", "--evaluation", str(draft.id), "--issue", "--by", "评估员",
                                 "--out", str(tmp_path / "a.pdf")])
    assert issued.exit_code == 0 and json.loads(issued.stdout)["report_number"].startswith("PJ-")
    shown = json.loads(runner.invoke(args=["evaluation", "show", "--evaluation", str(draft.id), "--json"]).stdout)
    assert shown["evaluation"]["state"] == "issued" and shown["evaluation"]["frozen"] is True
    assert runner.invoke(args=["evaluation", "delete", "--evaluation", str(draft.id), "--yes"]).exit_code != 0
    corrected = json.loads(runner.invoke(args=["evaluation", "correct", "--evaluation", str(draft.id),
                                               "--reason", "更正", "--json"]).stdout)
    assert corrected["revision"] == 1 and corrected["state"] == "draft"
    assert runner.invoke(args=["evaluation", "delete", "--evaluation", str(corrected["id"])]).exit_code != 0
    assert runner.invoke(args=["evaluation", "delete", "--evaluation", str(corrected["id"]), "--yes"]).exit_code == 0
    no_reason = runner.invoke(args=["evaluation", "withdraw", "--evaluation", str(draft.id), "--reason", ""])
    assert no_reason.exit_code != 0 and "理由" in no_reason.output
    assert runner.invoke(args=["evaluation", "withdraw", "--evaluation", str(draft.id), "--reason", "作废"]).exit_code == 0
    history = json.loads(runner.invoke(args=["evaluation", "history", "--circle", str(circle.id), "--json"]).stdout)
    assert [h["state"] for h in history] == ["withdrawn"]


# --- survey kinds -------------------------------------------------------------------------------

def test_a_merchant_campaign_cannot_feed_satisfaction(app, db, runner, circle, merchant, draft):
    with app.app_context():
        with pytest.raises(EvaluationError, match="商户调查"):
            open_evaluation(db, circle, current_rules("national"), merchant)
        with pytest.raises(EvaluationError, match="商户调查"):
            set_campaign(db, draft, merchant)
        with pytest.raises(ReportRefused, match="商户调查"):
            issue(db, "campaign_report", merchant, None, user_id=None, issuer_name="", issued_on=ISSUED_ON)
    created = runner.invoke(args=["evaluation", "create", "--circle", str(circle.id), "--campaign", str(merchant.id)])
    assert created.exit_code != 0 and "商户调查" in created.output
    report = runner.invoke(args=["report", "--campaign", str(merchant.id), "--issue", "--out", "/tmp/never.pdf"])
    assert report.exit_code != 0 and "商户调查" in report.output


def test_a_merchant_campaign_linked_before_kinds_existed_scores_nothing(app, db, merchant, draft):
    """A round linked to a merchant campaign (old data) neither scores #2/#3 nor can be issued."""
    draft.campaign_id = merchant.id
    db.add(draft)
    db.commit()
    with app.app_context():
        sheet = evaluation_sheet(db, draft)
        assert sheet["survey"] is None
        assert [g.code for g in gaps(db, draft, utcnow()) if g.page == "campaign"] == ["campaign_kind"]


def test_a_merchant_summary_has_no_sample_rule_and_no_indicators(app, db, runner, merchant):
    summary = json.loads(runner.invoke(args=["summary", "--campaign", str(merchant.id), "--json"]).stdout)
    assert summary["campaign"]["kind"] == "merchant"
    assert summary["sample"]["applies"] is False and summary["sample"]["met"] is None
    assert summary["sample"]["required"] is None and summary["indicators"] == {}


def test_the_resident_summary_says_its_rule_and_an_all_dont_know_item_is_unassessable(app, db, runner, circle):
    campaign = make_campaign(db, circle, SCORED)
    record_many(db, campaign, load_questionnaire(SCORED), [NewResponse(channel="paper", answers={
        "community": "东社区", "business_overall": "0", "service_overall": "4"}) for _ in range(30)])
    summary = json.loads(runner.invoke(args=["summary", "--campaign", str(campaign.id), "--json"]).stdout)
    business = summary["indicators"]["business_satisfaction"]
    assert summary["sample"]["applies"] is True and summary["sample"]["met"] is True
    assert business["assessable"] is False and business["rate"] is None and business["points"] == 0
    assert summary["indicators"]["service_satisfaction"]["assessable"] is True
    with app.app_context():
        evaluation = open_evaluation(db, circle, current_rules("national"), campaign)
        item = next(i for i in evaluation_sheet(db, evaluation)["service"]["indicators"]
                    if i["key"] == "business_satisfaction")
    assert item["assessable"] is False and item["points"] == 0
    assert item["steps"] == ["全部回答为“不清楚”，无法评价，记 0 分"]
