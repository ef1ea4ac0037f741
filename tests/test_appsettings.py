"""The assessment firm's name (机构设置): set by an admin in the browser or on the command line,
audited, printed as 评价机构 on every report with the issuer as 项目负责人, and frozen into each
issued report so that a later change never alters it."""
from __future__ import annotations

import io
import json
import subprocess
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from surveyapp.appsettings.operations import ASSESSOR_FIRM, assessor_firm, set_setting
from surveyapp.auth.users import create_user, grant_circle
from surveyapp.evaluation.operations import open_evaluation
from surveyapp.evaluation.registry import current_rules
from surveyapp.models import AppSetting, AuditEntry, Circle, IssuedReport
from surveyapp.reporting.operations import issue, issue_evaluation, preview_campaign, rerender

from .conftest import csrf_token
from .helpers import complete_round
from .test_auth import login
from .test_evaluation_lifecycle import pdf_pages
from .test_reporting import campaign  # noqa: F401  (fixture: a resident survey of 30 answers)

pytestmark = pytest.mark.usefixtures("app_questionnaires")

FIRM = "某某评价咨询有限公司"
RENAMED = "新名评价咨询有限公司"


def _signoff(content: bytes, tmp_path) -> list[str]:
    """The rows of the last page (the sign-off block) as laid out, whitespace removed."""
    path = tmp_path / "signoff.pdf"
    path.write_bytes(content)
    pages = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"], check=True,
                           capture_output=True, text=True).stdout.split("\f")
    last = [page for page in pages if page.strip()][-1]
    return ["".join(line.split()) for line in last.splitlines() if line.strip()]


def _admin(db, client):
    create_user(db, "admin1", "long-password", "admin", "管理员")
    login(client, "admin1", "long-password")


def test_an_admin_sets_the_firm_in_the_browser_audited_and_bad_input_kept(db, client):
    _admin(db, client)
    page = client.get("/staff/accounts").get_data(as_text=True)
    assert 'href="/staff/settings"' in page                               # reachable from the admin's pages
    form = client.get("/staff/settings").get_data(as_text=True)
    assert 'name="assessor_firm"' in form and "评价机构名称" in form
    too_long = "长" * 101
    refused = client.post("/staff/settings", data={"csrf_token": csrf_token(form), "assessor_firm": too_long})
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert "最多 100 个字" in body and f'value="{too_long}"' in body          # message by the field, value kept
    assert db.get(AppSetting, ASSESSOR_FIRM) is None
    saved = client.post("/staff/settings", data={"csrf_token": csrf_token(form), "assessor_firm": f"  {FIRM} "},
                        follow_redirects=True)
    assert "已保存" in saved.get_data(as_text=True) and f'value="{FIRM}"' in saved.get_data(as_text=True)
    db.expire_all()
    assert db.get(AppSetting, ASSESSOR_FIRM).value == FIRM
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "setting.update")).one()
    assert (entry.actor, entry.target_type, entry.target_id) == ("admin1", "setting", ASSESSOR_FIRM)
    assert entry.before == {ASSESSOR_FIRM: ""} and entry.after == {ASSESSOR_FIRM: FIRM}
    # the same value again changes nothing and records nothing
    client.post("/staff/settings", data={"csrf_token": csrf_token(form), "assessor_firm": FIRM})
    assert len(db.exec(select(AuditEntry).where(AuditEntry.action == "setting.update")).all()) == 1
    audit_page = client.get("/staff/audit").get_data(as_text=True)
    assert "修改机构设置" in audit_page and FIRM in audit_page


def test_only_admins_reach_the_settings_page(db, client):
    create_user(db, "assessor1", "long-password", "assessor", "评估员甲")
    login(client, "assessor1", "long-password")
    assert client.get("/staff/settings").status_code == 404


def test_the_command_line_sets_and_shows_the_firm(app, db, runner):
    done = runner.invoke(args=["settings", "set", "assessor-firm", FIRM])
    assert done.exit_code == 0, done.output
    assert FIRM in done.output
    shown = runner.invoke(args=["settings", "show", "--json"])
    assert json.loads(shown.output) == {"assessor-firm": FIRM}
    refused = runner.invoke(args=["settings", "set", "assessor-firm", "长" * 101])
    assert refused.exit_code != 0 and "最多 100 个字" in refused.output
    unknown = runner.invoke(args=["settings", "set", "colour", "红"])
    assert unknown.exit_code != 0
    with app.app_context():
        assert assessor_firm(db) == FIRM
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "setting.update")).one()
    assert entry.actor.startswith("命令行") and entry.after == {ASSESSOR_FIRM: FIRM}


def test_the_firm_is_frozen_into_an_issued_survey_report_and_summary_sheet(app, db, campaign, tmp_path):
    with app.app_context():
        set_setting(db, ASSESSOR_FIRM, FIRM)
        db.commit()
        report = issue(db, "campaign_report", campaign, None, user_id=None, issuer_name="评估员甲",
                       issued_on=date(2026, 11, 26))
        sheet = issue(db, "summary_sheet_xlsx", campaign, None, user_id=None, issuer_name="评估员甲",
                      issued_on=date(2026, 11, 26))
        sheet_pdf = issue(db, "summary_sheet_pdf", campaign, None, user_id=None, issuer_name="评估员甲",
                          issued_on=date(2026, 11, 26))
    assert (report.issued_by_firm, sheet.issued_by_firm) == (FIRM, FIRM)
    rows = _signoff(report.content, tmp_path)
    # 评价机构 is the firm; 项目负责人 the issuer, with room to sign; 审核人 and 盖章 left for the pen
    assert f"评价机构{FIRM}" in rows and "项目负责人评估员甲（签字）" in rows and "审核人（签字）" in rows
    assert "盖章" in rows
    cover = pdf_pages(report.content, tmp_path)[0]
    assert f"评价机构{FIRM}" in cover and "项目负责人评估员甲" in cover
    one_page = pdf_pages(sheet_pdf.content, tmp_path)
    assert len(one_page) == 1 and f"评价机构{FIRM}" in one_page[0] and "项目负责人评估员甲" in one_page[0]
    cells = list(load_workbook(io.BytesIO(sheet.content)).active.values)
    column = {name: i for i, name in enumerate(cells[0])}
    assert {(r[column["评价机构"]], r[column["项目负责人"]]) for r in cells[1:]} == {(FIRM, "评估员甲")}

    kept = {r.id: bytes(r.content) for r in (report, sheet, sheet_pdf)}
    with app.app_context():
        set_setting(db, ASSESSOR_FIRM, RENAMED)
        db.commit()
        for issued in (report, sheet, sheet_pdf):
            stored = db.get(IssuedReport, issued.id)
            assert stored.content == kept[issued.id] and stored.issued_by_firm == FIRM
            assert rerender(db, stored)[0] == kept[issued.id]        # the issued inputs, not today's setting
        preview = preview_campaign(db, "campaign_report", campaign, assessor="评估员甲", issued_on=date(2026, 11, 27))
    assert f"评价机构{RENAMED}" in _signoff(preview, tmp_path)                  # new reports use the new name


def test_the_firm_is_frozen_into_an_issued_evaluation_report(app, db, campaign, tmp_path):
    with app.app_context():
        set_setting(db, ASSESSOR_FIRM, FIRM)
        db.commit()
        evaluation = open_evaluation(db, db.get(Circle, campaign.circle_id), current_rules("national"), campaign)
        complete_round(db, evaluation)
        issued = issue_evaluation(db, evaluation, user_id=None, issuer_name="评估员乙", issued_on=date(2026, 12, 1))
        set_setting(db, ASSESSOR_FIRM, RENAMED)
        db.commit()
        again, _ = rerender(db, db.get(IssuedReport, issued.id))
    assert issued.report_number.startswith("PJ-") and issued.issued_by_firm == FIRM
    assert again == issued.content
    rows = _signoff(issued.content, tmp_path)
    assert f"评价机构{FIRM}" in rows and "项目负责人评估员乙（签字）" in rows


def test_without_a_firm_the_line_is_left_for_the_pen(app, db, campaign, tmp_path):
    with app.app_context():
        issued = issue(db, "campaign_report", campaign, None, user_id=None, issuer_name="评估员甲",
                       issued_on=date(2026, 11, 26))
    assert issued.issued_by_firm == ""
    rows = _signoff(issued.content, tmp_path)
    assert "评价机构" in rows and "项目负责人评估员甲（签字）" in rows     # 评价机构 blank, never the issuer's name


def test_the_firm_setting_page_is_linked_for_admins_only(db, client, campaign):
    user = create_user(db, "assessor1", "long-password", "assessor", "评估员甲")
    grant_circle(db, user, db.get(Circle, campaign.circle_id))
    login(client, "assessor1", "long-password")
    assert "/staff/settings" not in client.get("/staff/").get_data(as_text=True)
