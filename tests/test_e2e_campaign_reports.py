"""An assessor issues a resident survey's 满意度调查报告 (MY-) from its dashboard in Debian's
headless Chromium, deliberately: the survey's state, the preview marked 预览 · 未签发, the
password; then corrects it (a new number naming the old one, with the reason) and withdraws
the 汇总表. A merchant survey offers no satisfaction report, and a POST made by hand is refused.
Checked on the stored rows and the PDFs' text, not only on what the pages say.

Set SURVEYAPP_SCREENSHOTS=<folder> to keep a PNG of every step.
"""
from __future__ import annotations

import hashlib
import re
import subprocess

import pytest
from sqlmodel import select

from surveyapp.appsettings.operations import ASSESSOR_FIRM, set_setting
from surveyapp.models import AuditEntry, IssuedReport

from .helpers import PROJECT_QUESTIONNAIRES, make_campaign
from .test_e2e_evaluation import PASSWORD, desktop, surveyed_circle  # noqa: F401  (fixture)
from .test_e2e_resident import html_of, live_server, shoot  # noqa: F401  (fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("app_questionnaires")]

FIRM = "某某评价咨询有限公司"
REASON = "补录了 3 份纸质问卷"


def pdf_pages(content: bytes) -> list[str]:
    """Each page's text, whitespace removed (``-raw``: the rotated preview mark stays one run)."""
    text = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"], input=content, check=True,
                          capture_output=True).stdout.decode("utf-8")
    return ["".join(page.split()) for page in text.split("\f") if page.strip()]


def issue_from_the_page(page, base: str, label: str, reason: str | None = None) -> None:
    """From the issue page now open: the preview (every page marked), a wrong password refused
    (a correction's typed ``reason`` kept), then the preview ticked and the right password."""
    href = page.locator("#preview-link").get_attribute("href")
    preview = page.request.get(base + href)
    assert preview.ok and preview.headers["content-type"] == "application/pdf"
    pages = pdf_pages(preview.body())
    assert pages and all("预览·未签发" in p for p in pages)
    page.check("input[name=previewed]")
    page.fill("input[name=password]", "wrong-password")
    page.click("button:has-text('签发报告')")
    assert "密码不正确，报告没有签发。" in html_of(page)
    if reason is not None:
        assert page.locator("#reason-given").inner_text() == reason
    page.check("input[name=previewed]")
    page.fill("input[name=password]", PASSWORD)
    shoot(page, f"campaign-report-{label}-confirm")
    page.click("button:has-text('签发报告')")


def test_a_survey_report_issued_corrected_and_a_sheet_withdrawn_merchant_survey_has_none(app, db, live_server,
                                                                                        desktop):
    page, base = desktop, live_server
    circle, resident, user = surveyed_circle(db)
    merchant = make_campaign(db, circle, PROJECT_QUESTIONNAIRES / "merchant.yaml")
    with app.app_context():
        set_setting(db, ASSESSOR_FIRM, FIRM)
        db.commit()

    page.goto(f"{base}/staff/login")
    page.fill("input[name=username]", "assessor-e2e")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")

    # From the survey's dashboard: 签发 → 满意度调查报告. Step 1 states the survey: 30 valid of the 30
    # required (3% of 1,000), and still open, so later answers will not be in this report.
    page.goto(f"{base}/staff/campaigns/{resident.id}")
    page.click("#reports .issue a:has-text('满意度调查报告 PDF')")
    page.wait_for_load_state("load")
    assert page.url.endswith(f"/staff/campaigns/{resident.id}/issue/campaign_report")
    steps = page.locator("ol.steps").inner_text()
    assert "有效问卷 30 份，按规则需要 30 份" in steps and "已达到样本量要求" in steps
    assert page.locator("#still-open").is_visible()
    assert f"评价机构 {FIRM}；项目负责人 评估员乙" in page.locator("#signers").inner_text()
    shoot(page, "campaign-report-01-check")
    issue_from_the_page(page, base, "my")
    assert page.url.endswith(f"/staff/campaigns/{resident.id}#reports")
    assert "已签发 MY-2026-0001-满意度调查报告.pdf（编号 MY-2026-0001）" in html_of(page)
    shoot(page, "campaign-report-02-issued")

    db.expire_all()
    first = db.exec(select(IssuedReport)).one()
    assert (first.kind, first.report_number, first.campaign_id) == ("campaign_report", "MY-2026-0001", resident.id)
    assert (first.issued_by, first.issued_by_name, first.issued_by_firm) == (user.id, "评估员乙", FIRM)
    assert first.sha256 == hashlib.sha256(first.content).hexdigest() and first.document is not None
    assert first.document["summary"]["sample"]["valid"] == 30 and first.replaces_id is None
    # the file downloaded from the list is the stored one: numbered, no preview mark, the firm signs
    row = page.locator("#reports tr", has_text="MY-2026-0001")
    download = page.request.get(base + row.locator("a", has_text="满意度调查报告.pdf").get_attribute("href"))
    assert download.body() == first.content
    text = "".join(pdf_pages(first.content))
    assert "预览" not in text and "MY-2026-0001" in text and f"评价机构{FIRM}" in text
    assert "业态满意90.0%" in text.replace("第2项·", "")                       # 27 of 30, as stored

    # The 汇总表 PDF the same way (to be withdrawn below).
    page.goto(f"{base}/staff/campaigns/{resident.id}")
    page.click("#reports .issue a:has-text('汇总表 PDF')")
    issue_from_the_page(page, base, "hz")
    assert "编号 HZ-2026-0001" in html_of(page)

    # Correct the 满意度调查报告: a reason, the preview naming the old number, the password.
    page.locator("#reports tr", has_text="MY-2026-0001").locator("a", has_text="更正").click()
    page.wait_for_load_state("load")
    assert "更正满意度调查报告" in page.locator("h1").inner_text()
    # The reason comes first (nothing to preview or sign without it), so the preview prints it.
    assert page.locator("textarea[name=reason]").get_attribute("required") is not None
    assert page.locator("#preview-link").count() == 0 and page.locator("input[name=password]").count() == 0
    page.fill("textarea[name=reason]", "补录纸质问卷")
    page.click("button:has-text('下一步：预览更正报告')")
    page.click("#change-reason")                                   # changed once, the typed text kept
    assert page.locator("textarea[name=reason]").input_value() == "补录纸质问卷"
    page.fill("textarea[name=reason]", REASON)
    page.click("button:has-text('下一步：预览更正报告')")
    href = page.locator("#preview-link").get_attribute("href")
    previewed = pdf_pages(page.request.get(base + href).body())
    assert all("取代MY-2026-0001" in p for p in previewed)
    assert "更正理由：补录了3份纸质问卷。" in "".join(previewed)
    issue_from_the_page(page, base, "correction", reason=REASON)
    content = html_of(page)
    assert "编号 MY-2026-0002" in content and "更正并取代 MY-2026-0001" in content
    db.expire_all()
    corrected = db.exec(select(IssuedReport).where(IssuedReport.report_number == "MY-2026-0002")).one()
    assert corrected.replaces_id == first.id and corrected.correction_reason == REASON
    text = "".join(pdf_pages(corrected.content))
    assert "本报告为更正报告，更正并取代MY-2026-0001。更正理由：补录了3份纸质问卷。" in text
    assert bytes(db.get(IssuedReport, first.id).content) == bytes(first.content)          # the old bytes kept
    listing = page.locator("#reports table").inner_text()
    assert f"被 MY-2026-0002 取代（更正理由：{REASON}）" in listing and f"更正并取代 MY-2026-0001：{REASON}" in listing
    shoot(page, "campaign-report-03-corrected")

    # Withdraw the 汇总表: a reason, the file kept.
    page.locator("#reports tr", has_text="HZ-2026-0001").locator("a", has_text="撤回").click()
    page.fill("textarea[name=reason]", "服务人口应为 1,200 人")
    page.click("button:has-text('撤回报告')")
    assert "HZ-2026-0001 已撤回" in html_of(page)
    db.expire_all()
    sheet = db.exec(select(IssuedReport).where(IssuedReport.report_number == "HZ-2026-0001")).one()
    assert sheet.withdrawn_at is not None and sheet.withdrawn_reason == "服务人口应为 1,200 人"
    assert pdf_pages(sheet.content) and page.request.get(f"{base}/staff/reports/{sheet.id}").body() == sheet.content
    assert "已撤回" in page.locator("#reports tr", has_text="HZ-2026-0001").inner_text()
    actions = [e.action for e in db.exec(select(AuditEntry).where(AuditEntry.action.startswith("report.")))]
    assert sorted(actions) == ["report.issue"] * 3 + ["report.withdraw"]
    shoot(page, "campaign-report-04-withdrawn")

    # A merchant survey: no satisfaction report offered, the issue page absent, a POST by hand refused.
    page.goto(f"{base}/staff/campaigns/{merchant.id}")
    assert "商户调查" in page.locator("h1").inner_text()
    assert page.locator("text=满意度调查报告").count() == 0
    assert page.locator(f"a[href*='/campaigns/{merchant.id}/issue/']").count() == 0
    assert page.request.get(f"{base}/staff/campaigns/{merchant.id}/issue/campaign_report").status == 404
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    refused = page.request.post(f"{base}/staff/campaigns/{merchant.id}/reports", form={
        "csrf_token": token, "kind": "campaign_report", "previewed": "yes", "password": PASSWORD})
    assert refused.ok and f"问卷调查 #{merchant.id} 是商户调查，没有满意度调查报告或汇总表" in refused.text()
    db.expire_all()
    assert db.exec(select(IssuedReport).where(IssuedReport.campaign_id == merchant.id)).all() == []
    assert len(db.exec(select(IssuedReport)).all()) == 3
    shoot(page, "campaign-report-05-merchant")
