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
        again, current = rerender(db, stored)
    assert current != stored.data_fingerprint and again != frozen


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


def test_staff_issue_and_download_byte_for_byte(db, client, campaign):
    from surveyapp.models import Circle

    user = create_user(db, "assessor1", "long-password", "assessor", "评估员甲")
    grant_circle(db, user, db.get(Circle, campaign.circle_id))
    login(client, "assessor1", "long-password")
    page = client.get(f"/staff/campaigns/{campaign.id}").get_data(as_text=True)
    assert "还没有签发的报告" in page
    preview = client.get(f"/staff/campaigns/{campaign.id}/preview/campaign_report")
    assert preview.status_code == 200 and preview.data[:5] == b"%PDF-"
    response = client.post(f"/staff/campaigns/{campaign.id}/reports",
                           data={"csrf_token": csrf_token(page), "kind": "summary_sheet_pdf"})
    assert response.status_code == 302
    issued = db.exec(select(IssuedReport)).one()
    download = client.get(f"/staff/reports/{issued.id}")
    assert download.data == issued.content and download.mimetype == "application/pdf"
    page = client.get(f"/staff/campaigns/{campaign.id}").get_data(as_text=True)
    assert issued.report_number in page and "与当前数据一致" in page
    add_responses(db, campaign, 3)
    assert "数据已更新" in client.get(f"/staff/campaigns/{campaign.id}").get_data(as_text=True)
    assert client.get(f"/staff/campaigns/{campaign.id}/poster.pdf").data[:5] == b"%PDF-"


def test_reports_of_other_circles_are_404(db, client, campaign, app):
    other_circle = make_circle(db, name="别的生活圈")
    other = make_campaign(db, other_circle, SCORED)
    with app.app_context():
        issued = issue(db, "summary_sheet_pdf", other, None, user_id=None, issuer_name="", issued_on=date(2026, 1, 1))
    create_user(db, "assessor2", "long-password", "assessor")
    login(client, "assessor2", "long-password")
    for url in [f"/staff/reports/{issued.id}", f"/staff/campaigns/{other.id}/preview/campaign_report",
                f"/staff/campaigns/{other.id}/poster.pdf"]:
        assert client.get(url).status_code == 404, url
