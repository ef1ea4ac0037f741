"""Issuing reports: frozen bytes, reproducible rendering, the data moving on, CLI and pages."""
from __future__ import annotations

import hashlib
import json
import subprocess
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from surveyapp.auth.users import create_user, grant_circle
from surveyapp.models import IssuedReport
from surveyapp.questionnaire import load_questionnaire
from surveyapp.reporting.operations import issue, rerender
from surveyapp.responses.operations import NewResponse, record_many

from .conftest import csrf_token
from .test_evaluation_lifecycle import pdf_pages
from .helpers import APP_QUESTIONNAIRES, make_campaign, make_circle
from .test_auth import login

SCORED = APP_QUESTIONNAIRES / "scored.yaml"


pytestmark = pytest.mark.usefixtures("app_questionnaires")


@pytest.fixture
def campaign(db):
    circle = make_circle(db, name="报告生活圈", population=1000, communities=(("东社区", 1000),))
    campaign = make_campaign(db, circle, SCORED)
    add_responses(db, campaign, 30)
    return campaign


def add_responses(db, campaign, n, business="5"):
    record_many(db, campaign, load_questionnaire(SCORED), [NewResponse(channel="paper", answers={
        "community": "东社区", "business_overall": business if i % 10 else "2", "service_overall": "4"})
        for i in range(n)])


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "r.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def test_issuing_freezes_the_report_and_rendering_again_reproduces_it(app, db, campaign, tmp_path):
    with app.app_context():
        issued = issue(db, "campaign_report", campaign, None, user_id=None, issuer_name="评估员甲",
                       issued_on=date(2026, 11, 26))
        assert issued.report_number == "MY-2026-0001"
        assert issued.sha256 == hashlib.sha256(issued.content).hexdigest()
        again, current = rerender(db, issued)
    assert again == issued.content and current == issued.data_fingerprint
    text = pdf_text(issued.content, tmp_path)
    assert "报告生活圈" in text and "MY-2026-0001" in text and issued.data_fingerprint[:16] in text.replace("\n", "")
    assert "90.0%" in text  # 27 of 30 satisfied


def test_changing_the_data_does_not_change_an_issued_report(app, db, campaign):
    with app.app_context():
        issued = issue(db, "campaign_report", campaign, None, user_id=None, issuer_name="甲",
                       issued_on=date(2026, 11, 26))
        frozen = bytes(issued.content)
        add_responses(db, campaign, 5, business="1")
        db.expire_all()
        stored = db.get(IssuedReport, issued.id)
        assert stored.content == frozen
        # issued with its data document: rendering it again reads the frozen data, not the new answers
        again, current = rerender(db, stored)
        assert stored.document["summary"]["sample"]["valid"] == 30
    assert current == stored.data_fingerprint and again == frozen


def test_report_numbers_count_up_within_the_year(app, db, campaign):
    with app.app_context():
        numbers = [issue(db, kind, campaign, None, user_id=None, issuer_name="", issued_on=date(2026, 5, 1)).report_number
                   for kind in ("campaign_report", "summary_sheet_pdf", "summary_sheet_xlsx")]
        # one sequence per kind of document: MY- 满意度调查报告, HZ- 汇总表 (PDF and XLSX share it)
        assert numbers == ["MY-2026-0001", "HZ-2026-0001", "HZ-2026-0002"]
        assert issue(db, "summary_sheet_pdf", campaign, None, user_id=None, issuer_name="",
                     issued_on=date(2027, 1, 2)).report_number == "HZ-2027-0001"


def test_cli_writes_reports_sheets_and_posters(runner, campaign, tmp_path):
    out = tmp_path / "report.pdf"
    result = runner.invoke(args=["report", "--campaign", str(campaign.id), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:5] == b"%PDF-" and json.loads(result.stdout)["issued"] is False
    xlsx = tmp_path / "sheet.xlsx"
    assert runner.invoke(args=["report", "--campaign", str(campaign.id), "--summary-sheet", "--out", str(xlsx)]).exit_code == 0
    sheet = load_workbook(xlsx).active
    assert "报告生活圈" in " ".join(str(c.value) for row in sheet.iter_rows() for c in row)
    poster = tmp_path / "poster.pdf"
    assert runner.invoke(args=["report", "--campaign", str(campaign.id), "--poster", "--out", str(poster)]).exit_code == 0
    assert "报告生活圈" in pdf_text(poster.read_bytes(), tmp_path)
    issued = runner.invoke(args=["report", "--campaign", str(campaign.id), "--issue", "--by", "乙", "--out", str(out)])
    document = json.loads(issued.stdout)
    assert document["issued"] is True and document["report_number"].endswith("-0001")
    missing = runner.invoke(args=["report", "--campaign", "404", "--out", str(out)])
    assert missing.exit_code != 0 and "不存在" in missing.output


def test_evaluation_report_needs_a_campaign(app, db, runner, campaign, tmp_path):
    from surveyapp.evaluation.operations import open_evaluation
    from surveyapp.evaluation.registry import current_rules
    from surveyapp.models import Circle

    with app.app_context():
        circle = db.get(Circle, campaign.circle_id)
        lonely = open_evaluation(db, circle, current_rules("national"), None)
        linked = open_evaluation(db, circle, current_rules("national"), campaign)
    result = runner.invoke(args=["report", "--evaluation", str(lonely.id), "--out", str(tmp_path / "x.pdf")])
    assert result.exit_code != 0 and "没有关联居民问卷调查" in result.output
    out = tmp_path / "evaluation.pdf"
    assert runner.invoke(args=["report", "--evaluation", str(linked.id), "--out", str(out)]).exit_code == 0
    text = pdf_text(out.read_bytes(), tmp_path)
    assert "服务“好不好”评分" in text and "业态“有没有”评分与业态清单" in text and "不授予类型" in text


def _assessor(db, client, campaign):
    from surveyapp.models import Circle

    user = create_user(db, "assessor1", "long-password", "assessor", "评估员甲")
    grant_circle(db, user, db.get(Circle, campaign.circle_id))
    login(client, "assessor1", "long-password")
    return user


def test_staff_issue_a_campaign_report_deliberately_and_download_byte_for_byte(db, client, campaign, tmp_path):
    _assessor(db, client, campaign)
    page = client.get(f"/staff/campaigns/{campaign.id}").get_data(as_text=True)
    assert "还没有签发的报告" in page
    assert f"/staff/campaigns/{campaign.id}/issue/summary_sheet_pdf" in page      # no one-click issuing
    issue_page = client.get(f"/staff/campaigns/{campaign.id}/issue/summary_sheet_pdf").get_data(as_text=True)
    assert "打开预览PDF" in issue_page and 'name="password"' in issue_page and "HZ-年份-序号" in issue_page
    preview = client.get(f"/staff/campaigns/{campaign.id}/preview/summary_sheet_pdf")
    assert preview.status_code == 200 and all("预览·未签发" in page for page in pdf_pages(preview.data, tmp_path))
    token = csrf_token(issue_page)
    for data, message in (({}, "请先打开预览核对报告"), ({"previewed": "yes", "password": "wrong-password"}, "密码不正确")):
        refused = client.post(f"/staff/campaigns/{campaign.id}/reports", follow_redirects=True,
                              data={"csrf_token": token, "kind": "summary_sheet_pdf", **data})
        assert message in refused.get_data(as_text=True)
        assert db.exec(select(IssuedReport)).first() is None
    response = client.post(f"/staff/campaigns/{campaign.id}/reports", data={
        "csrf_token": token, "kind": "summary_sheet_pdf", "previewed": "yes", "password": "long-password"})
    assert response.status_code == 302
    issued = db.exec(select(IssuedReport)).one()
    assert issued.report_number.startswith("HZ-") and issued.document is not None
    assert not any("预览" in page for page in pdf_pages(issued.content, tmp_path))
    download = client.get(f"/staff/reports/{issued.id}")
    assert download.data == issued.content and download.mimetype == "application/pdf"
    assert f"{issued.report_number}-汇总表.pdf" in download.headers["Content-Disposition"] or \
        "%E6%B1%87%E6%80%BB%E8%A1%A8.pdf" in download.headers["Content-Disposition"]
    page = client.get(f"/staff/campaigns/{campaign.id}").get_data(as_text=True)
    assert issued.report_number in page and "有效，内容已冻结" in page
    add_responses(db, campaign, 3)
    assert "有效，内容已冻结" in client.get(f"/staff/campaigns/{campaign.id}").get_data(as_text=True)
    assert client.get(f"/staff/campaigns/{campaign.id}/poster.pdf").data[:5] == b"%PDF-"


def test_withdraw_keeps_the_bytes_and_says_why(db, client, campaign, app):
    from surveyapp.models import AuditEntry

    _assessor(db, client, campaign)
    with app.app_context():
        issued = issue(db, "campaign_report", campaign, None, user_id=None, issuer_name="甲",
                       issued_on=date(2026, 11, 26))
    content = bytes(issued.content)
    page = client.get(f"/staff/reports/{issued.id}/withdraw")
    assert page.status_code == 200 and "撤回" in page.get_data(as_text=True)
    empty = client.post(f"/staff/reports/{issued.id}/withdraw", data={"csrf_token": csrf_token(page.get_data(as_text=True)),
                                                                       "reason": ""})
    assert empty.status_code == 422 and "请写明理由" in empty.get_data(as_text=True)
    client.post(f"/staff/reports/{issued.id}/withdraw", data={"csrf_token": csrf_token(page.get_data(as_text=True)),
                                                              "reason": "有效问卷统计口径有误"})
    db.expire_all()
    stored = db.get(IssuedReport, issued.id)
    assert stored.withdrawn_at is not None and stored.withdrawn_reason == "有效问卷统计口径有误"
    assert stored.content == content and client.get(f"/staff/reports/{issued.id}").data == content
    dashboard = client.get(f"/staff/campaigns/{campaign.id}").get_data(as_text=True)
    assert "已撤回" in dashboard and "有效问卷统计口径有误" in dashboard
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "report.withdraw")).one()
    assert entry.target_id == str(issued.id) and entry.after["reason"] == "有效问卷统计口径有误"
    # a withdrawn report can be neither withdrawn again nor corrected
    again = client.post(f"/staff/reports/{issued.id}/withdraw", follow_redirects=True,
                        data={"csrf_token": csrf_token(page.get_data(as_text=True)), "reason": "再撤一次"})
    assert "已撤回，不能撤回" in again.get_data(as_text=True)
    correct = client.get(f"/staff/campaigns/{campaign.id}/issue/campaign_report?replaces={issued.id}")
    assert "已撤回，不能再更正" in correct.get_data(as_text=True) and 'name="password"' not in correct.get_data(as_text=True)


def test_a_correction_gets_a_new_number_that_names_the_one_it_replaces(db, client, campaign, app, tmp_path):
    _assessor(db, client, campaign)
    with app.app_context():
        old = issue(db, "campaign_report", campaign, None, user_id=None, issuer_name="甲", issued_on=date(2026, 11, 26))
    page = client.get(f"/staff/campaigns/{campaign.id}/issue/campaign_report?replaces={old.id}").get_data(as_text=True)
    assert f"更正并取代 {old.report_number}" in page and 'name="reason"' in page
    preview = client.get(f"/staff/campaigns/{campaign.id}/preview/campaign_report?replaces={old.id}")
    assert all(f"取代{old.report_number}" in page for page in pdf_pages(preview.data, tmp_path))
    form = {"csrf_token": csrf_token(page), "kind": "campaign_report", "replaces": str(old.id), "previewed": "yes",
            "password": "long-password"}
    no_reason = client.post(f"/staff/campaigns/{campaign.id}/reports", data=form, follow_redirects=True)
    assert "更正时请写明理由" in no_reason.get_data(as_text=True)
    client.post(f"/staff/campaigns/{campaign.id}/reports", data={**form, "reason": "补录了 5 份纸质问卷"})
    new = db.exec(select(IssuedReport).where(IssuedReport.replaces_id == old.id)).one()
    assert new.report_number == "MY-2026-0002" and new.correction_reason == "补录了 5 份纸质问卷"
    text = "".join(pdf_pages(new.content, tmp_path))
    assert "更正并取代MY-2026-0001" in text and "补录了5份纸质问卷" in text
    dashboard = client.get(f"/staff/campaigns/{campaign.id}").get_data(as_text=True)
    assert "被 MY-2026-0002 取代" in dashboard and "更正并取代 MY-2026-0001：补录了 5 份纸质问卷" in dashboard
    with app.app_context():
        again, _ = rerender(db, new)
    assert again == new.content
    # the replaced report cannot be corrected twice, nor by another kind of document
    twice = client.post(f"/staff/campaigns/{campaign.id}/reports", data={**form, "reason": "再改一次"},
                        follow_redirects=True)
    assert "已更正，不能再更正" in twice.get_data(as_text=True)
    other_kind = client.post(f"/staff/campaigns/{campaign.id}/reports", follow_redirects=True,
                             data={**form, "kind": "summary_sheet_pdf", "replaces": str(new.id), "reason": "x"})
    assert "不是这次调查的汇总表" in other_kind.get_data(as_text=True)
    assert db.exec(select(IssuedReport)).all().__len__() == 2


def test_cli_corrects_lists_and_withdraws_campaign_reports(runner, campaign, tmp_path):
    out = tmp_path / "my.pdf"
    first = runner.invoke(args=["report", "--campaign", str(campaign.id), "--issue", "--out", str(out)])
    assert first.exit_code == 0, first.output
    number = json.loads(first.output)["report_number"]
    refused = runner.invoke(args=["report", "--campaign", str(campaign.id), "--issue", "--replaces", number,
                                  "--out", str(out)])
    assert refused.exit_code != 0 and "更正时请写明理由" in refused.output
    second = runner.invoke(args=["report", "--campaign", str(campaign.id), "--issue", "--replaces", number,
                                 "--reason", "补录问卷", "--out", str(out)])
    assert second.exit_code == 0, second.output
    corrected = json.loads(second.output)["report_number"]
    listing = json.loads(runner.invoke(args=["reports", "list", "--campaign", str(campaign.id), "--json"]).output)
    rows = {row["number"]: row for row in listing["reports"]}
    assert rows[number]["state"] == "corrected" and rows[corrected]["replaces"] == number
    assert rows[corrected]["correction_reason"] == "补录问卷" and rows[corrected]["frozen"] is True
    assert rows[corrected]["file"] == f"{corrected}-满意度调查报告.pdf"
    withdrawn = runner.invoke(args=["reports", "withdraw", corrected, "--reason", "口径有误"])
    assert withdrawn.exit_code == 0, withdrawn.output
    listing = json.loads(runner.invoke(args=["reports", "list", "--campaign", str(campaign.id), "--json"]).output)
    row = next(r for r in listing["reports"] if r["number"] == corrected)
    assert row["state"] == "withdrawn" and row["withdrawn_reason"] == "口径有误"
    again = runner.invoke(args=["reports", "withdraw", corrected, "--reason", "再撤"])
    assert again.exit_code != 0 and "已撤回" in again.output


def test_reports_of_other_circles_are_404(db, client, campaign, app):
    other_circle = make_circle(db, name="别的生活圈")
    other = make_campaign(db, other_circle, SCORED)
    with app.app_context():
        issued = issue(db, "summary_sheet_pdf", other, None, user_id=None, issuer_name="", issued_on=date(2026, 1, 1))
    create_user(db, "assessor2", "long-password", "assessor")
    login(client, "assessor2", "long-password")
    for url in [f"/staff/reports/{issued.id}", f"/staff/campaigns/{other.id}/preview/campaign_report",
                f"/staff/campaigns/{other.id}/poster.pdf", f"/staff/reports/{issued.id}/withdraw",
                f"/staff/campaigns/{other.id}/issue/campaign_report"]:
        assert client.get(url).status_code == 404, url


def test_the_xlsx_preview_says_so_on_its_tab_title_and_printed_pages_and_the_issued_sheet_does_not(
        db, client, campaign):
    from io import BytesIO

    _assessor(db, client, campaign)
    preview = client.get(f"/staff/campaigns/{campaign.id}/preview/summary_sheet_xlsx")
    assert preview.status_code == 200
    book = load_workbook(BytesIO(preview.data))
    sheet = book.active
    assert sheet.title == "汇总表（预览·未签发）" and book.properties.title.endswith("汇总表（预览·未签发）")
    assert sheet.oddHeader.center.text == "预览 · 未签发"
    header = [cell.value for cell in sheet[1]]
    assert all(row[header.index("报告编号")] == "预览（未签发）" for row in sheet.iter_rows(min_row=2, values_only=True))

    issue_page = client.get(f"/staff/campaigns/{campaign.id}/issue/summary_sheet_xlsx").get_data(as_text=True)
    client.post(f"/staff/campaigns/{campaign.id}/reports", data={
        "csrf_token": csrf_token(issue_page), "kind": "summary_sheet_xlsx", "previewed": "yes",
        "password": "long-password"})
    issued = db.exec(select(IssuedReport)).one()
    sheet = load_workbook(BytesIO(issued.content)).active
    assert sheet.title == "汇总表" and not sheet.oddHeader.center.text
    assert "预览" not in "".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None)
