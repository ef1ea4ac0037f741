"""A correction names the report it replaces and says why, on the document itself (the PDF and
the XLSX of the 汇总表, the 满意度调查报告, the 评价报告), and the replaced report's entry says
by which report and why (pages and ``surveyapp reports list``): both say so."""
from __future__ import annotations

import io
import json
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from surveyapp.evaluation.operations import open_evaluation, start_correction
from surveyapp.evaluation.registry import current_rules
from surveyapp.models import Circle, Evaluation, IssuedReport
from surveyapp.reporting.operations import issue, issue_evaluation, rerender

from .helpers import complete_round
from .test_evaluation_lifecycle import pdf_pages
from .test_reporting import _assessor, campaign  # noqa: F401  (fixture: a resident survey of 30 answers)

pytestmark = pytest.mark.usefixtures("app_questionnaires")

REASON = "补录了 5 份纸质问卷"


def _issue(db, kind, campaign, replaces=None, reason=""):
    return issue(db, kind, campaign, None, user_id=None, issuer_name="评估员甲", issued_on=date(2026, 11, 26),
                 replaces=replaces, reason=reason)


def test_a_corrected_summary_sheet_pdf_says_what_it_replaces_and_why(app, db, client, campaign, tmp_path):
    with app.app_context():
        old = _issue(db, "summary_sheet_pdf", campaign)
        new = _issue(db, "summary_sheet_pdf", campaign, replaces=old, reason=REASON)
        again, _ = rerender(db, new)
    assert (old.report_number, new.report_number) == ("HZ-2026-0001", "HZ-2026-0002")
    pages = pdf_pages(new.content, tmp_path)
    assert len(pages) == 1                                                    # still one A4 page
    assert "更正说明本表为更正报告，更正并取代HZ-2026-0001。更正理由：补录了5份纸质问卷。" in pages[0]
    assert "更正报告·取代HZ-2026-0001" in pages[0]                            # the page foot
    assert again == new.content
    assert not any("更正" in page for page in pdf_pages(old.content, tmp_path))   # the old bytes are untouched
    _assessor(db, client, campaign)
    dashboard = client.get(f"/staff/campaigns/{campaign.id}").get_data(as_text=True)
    assert f"被 HZ-2026-0002 取代（更正理由：{REASON}）" in dashboard           # the old one's entry
    assert f"更正并取代 HZ-2026-0001：{REASON}" in dashboard                   # the new one's entry


def test_a_corrected_summary_sheet_xlsx_carries_the_number_and_the_reason_on_every_row(app, db, campaign):
    with app.app_context():
        old = _issue(db, "summary_sheet_xlsx", campaign)
        new = _issue(db, "summary_sheet_xlsx", campaign, replaces=old, reason=REASON)

    def rows(report):
        values = list(load_workbook(io.BytesIO(report.content)).active.values)
        column = {name: i for i, name in enumerate(values[0])}
        return [(r[column["报告编号"]], r[column["更正并取代"]], r[column["更正理由"]]) for r in values[1:]]
    new_rows, old_rows = rows(new), rows(old)
    # the scored test questionnaire: the two indicators, no detail items
    assert len(new_rows) == 2 and set(new_rows) == {("HZ-2026-0002", "HZ-2026-0001", REASON)}
    assert set(old_rows) == {("HZ-2026-0001", None, None)}                    # empty cells: not a correction


def test_the_cli_lists_both_sides_of_a_correction(app, db, runner, campaign):
    with app.app_context():
        old = _issue(db, "campaign_report", campaign)
        _issue(db, "campaign_report", campaign, replaces=old, reason=REASON)
    listing = json.loads(runner.invoke(args=["reports", "list", "--campaign", str(campaign.id), "--json"]).output)
    rows = {row["number"]: row for row in listing["reports"]}
    assert rows["MY-2026-0001"]["replaced_by"] == "MY-2026-0002"
    assert rows["MY-2026-0001"]["replaced_because"] == REASON
    assert rows["MY-2026-0002"]["replaces"] == "MY-2026-0001" and rows["MY-2026-0002"]["correction_reason"] == REASON
    text = runner.invoke(args=["reports", "list", "--campaign", str(campaign.id)]).output
    assert f"MY-2026-0001  MY-2026-0001-满意度调查报告.pdf  已更正  2026-11-26  被 MY-2026-0002 取代（{REASON}）" in text
    assert f"取代 MY-2026-0001（{REASON}）" in text


def test_a_corrected_evaluation_report_names_the_old_one_and_the_reason(app, db, client, campaign, tmp_path):
    with app.app_context():
        evaluation = open_evaluation(db, db.get(Circle, campaign.circle_id), current_rules("national"), campaign)
        complete_round(db, evaluation)
        first = issue_evaluation(db, evaluation, user_id=None, issuer_name="评估员甲", issued_on=date(2026, 12, 1))
        draft = start_correction(db, db.get(Evaluation, evaluation.id), "促消费活动场次应为 6 场")
        db.commit()
        second = issue_evaluation(db, draft, user_id=None, issuer_name="评估员甲", issued_on=date(2026, 12, 2))
    assert (first.report_number, second.report_number) == ("PJ-2026-0001", "PJ-2026-0002")
    assert second.correction_reason == "促消费活动场次应为 6 场"
    pages = pdf_pages(second.content, tmp_path)
    assert "本报告为更正报告，更正并取代PJ-2026-0001。更正理由：促消费活动场次应为6场。" in pages[0]   # the cover
    assert all("更正报告·取代PJ-2026-0001" in page for page in pages)                             # every foot
    _assessor(db, client, campaign)
    old_page = client.get(f"/staff/evaluations/{evaluation.id}").get_data(as_text=True)
    assert "已被 PJ-2026-0002 更正并取代（更正理由：促消费活动场次应为 6 场）" in old_page
    new_page = client.get(f"/staff/evaluations/{draft.id}").get_data(as_text=True)
    assert "更正并取代 PJ-2026-0001，更正理由：促消费活动场次应为 6 场" in new_page
    assert db.exec(select(IssuedReport).where(IssuedReport.replaces_id == first.id)).one().id == second.id
