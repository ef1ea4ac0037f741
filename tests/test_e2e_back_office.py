"""The back office in Debian's headless Chromium (1280×900): an assessor downloads the paper
entry template, uploads a file with one bad row, reads its row and column, fixes it,
re-uploads, confirms, and sees the counts on the city overview; an admin then finds the
import (and the sign-ins) in the audit log.

Set SURVEYAPP_SCREENSHOTS=<folder> to keep a PNG of every step.
"""
from __future__ import annotations

import pytest
from openpyxl import load_workbook

from surveyapp.auth.users import create_user, grant_circle

from .helpers import PROJECT_QUESTIONNAIRES, make_campaign, make_circle
from .test_e2e_evaluation import desktop  # noqa: F401  (fixture)
from .test_e2e_resident import live_server, shoot  # noqa: F401  (fixture)

pytestmark = [pytest.mark.e2e]

RESIDENT = PROJECT_QUESTIONNAIRES / "resident.yaml"
PASSWORD = "assessor-pass-1"
ROWS = [
    {"serial": "A-001", "community": "东社区", "age_band": "a60_69", "years_lived": "y10_plus",
     "business_overall": "4", "service_overall": "5"},
    {"serial": "A-002", "community": "西社区", "age_band": "a30_44", "years_lived": "y1_3",
     "business_overall": "9", "service_overall": "4"},
    {"serial": "A-003", "community": "东社区", "age_band": "a45_59", "years_lived": "y10_plus",
     "business_overall": "5", "service_overall": "5"},
]


@pytest.fixture
def app_config(app_config):
    app_config["QUESTIONNAIRE_DIR"] = str(PROJECT_QUESTIONNAIRES)
    return app_config


def sign_in(page, base, username, password):
    page.goto(f"{base}/staff/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def fill(path, rows):
    workbook = load_workbook(path)
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    for number, row in enumerate(rows, start=2):
        for name, value in row.items():
            sheet.cell(row=number, column=header.index(name) + 1, value=value)
    workbook.save(path)
    return header


def test_paper_upload_fixed_and_confirmed_then_overview_and_audit(app, db, live_server, desktop, tmp_path):
    page, base = desktop, live_server
    circle = make_circle(db, name="浏览器生活圈", population=1000)
    campaign = make_campaign(db, circle, RESIDENT)
    assessor = create_user(db, "assessor-e2e", PASSWORD, "assessor", "评估员甲")
    grant_circle(db, assessor, circle)
    create_user(db, "admin-e2e", "admin-pass-12", "admin", "管理员")

    sign_in(page, base, "assessor-e2e", PASSWORD)
    assert page.url == f"{base}/staff/"  # the city overview is the assessor's home
    row = page.locator("table.overview tbody tr", has_text="浏览器生活圈")
    assert "0 / 30" in row.inner_text() and "样本还差 30 份" in row.inner_text()
    shoot(page, "back-office-01-overview-before")

    # From the campaign's page to the upload page, and the entry template.
    page.click("table.overview a:has-text('进行中')")
    page.click("a:has-text('上传纸质问卷')")
    assert page.url == f"{base}/staff/campaigns/{campaign.id}/paper"
    with page.expect_download() as download:
        page.click("a:has-text('下载录入模板')")
    template = tmp_path / "录入.xlsx"
    download.value.save_as(template)
    header = fill(template, ROWS)
    shoot(page, "back-office-02-upload")

    # One bad row: its row, column letter, question and value are listed; nothing is stored.
    page.set_input_files("input[name=file]", str(template))
    page.click("button:has-text('上传并检查')")
    problem = page.locator("table.problem-list tbody tr")
    assert problem.count() == 1
    cells = problem.first.locator("td").all_inner_texts()
    letter = chr(ord("A") + header.index("business_overall"))
    assert cells[:4] == ["3", letter, "business_overall", "9"]
    assert "未保存任何问卷" in page.content()
    shoot(page, "back-office-03-problem")

    # Fixed and uploaded again: the counts, then the confirmation stores them.
    fill(template, [{}, {"business_overall": "4"}])
    page.set_input_files("input[name=file]", str(template))
    page.click("button:has-text('上传并检查')")
    counts = page.locator("section.confirm table.counts").inner_text()
    assert "将要保存的纸质问卷\t3 份" in counts
    shoot(page, "back-office-04-confirm")
    page.click("button:has-text('确认保存 3 份问卷')")
    assert "已导入 3 份纸质问卷（录入.xlsx）" in page.content()
    assert page.url.endswith(f"/staff/campaigns/{campaign.id}")

    page.click(".staffbar a:has-text('总览')")
    row = page.locator("table.overview tbody tr", has_text="浏览器生活圈")
    assert "3 / 30" in row.inner_text() and "样本还差 27 份" in row.inner_text()
    shoot(page, "back-office-05-overview-after")
    page.click(".staffbar button:has-text('退出')")

    # The admin's home links to the log, where the import and the sign-ins are.
    sign_in(page, base, "admin-e2e", "admin-pass-12")
    assert page.locator(".admin-links a:has-text('操作记录')").count() == 1
    shoot(page, "back-office-06-admin-home")
    page.click(".admin-links a:has-text('操作记录')")
    log = page.locator("table.audit > tbody").inner_text()
    for text in ("导入纸质问卷 3 份（录入.xlsx）", "退出登录", "assessor-e2e", "admin-e2e"):
        assert text in log
    page.select_option("select[name=action]", "responses.import")
    page.click("button:has-text('筛选')")
    entries = page.locator("table.audit > tbody > tr")
    assert entries.count() == 1 and "导入份数" in entries.first.inner_text()
    shoot(page, "back-office-07-audit")
    page.fill("input[name=date_from]", "2026-12-05")
    page.fill("input[name=date_to]", "2026-12-01")
    page.click("button:has-text('筛选')")
    assert "结束日期不能早于开始日期" in page.locator(".field.has-error").inner_text()
    shoot(page, "back-office-08-audit-bad-dates")
