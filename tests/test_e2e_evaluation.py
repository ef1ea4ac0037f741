"""An assessor takes a round from 草稿 to 已签发 and then 已更正 in Debian's headless Chromium
(desktop size), and the completeness check stops the round while it is incomplete.

Set SURVEYAPP_SCREENSHOTS=<folder> to keep a PNG of every step.
"""
from __future__ import annotations

import subprocess

import pytest

from surveyapp.auth.users import create_user, grant_circle
from surveyapp.models import Evaluation
from surveyapp.questionnaire import load_questionnaire
from surveyapp.responses.operations import NewResponse, record_many

from .helpers import APP_QUESTIONNAIRES, complete_round, make_campaign, make_circle
from .test_e2e_resident import CHROMIUM, CHROMIUM_ARGS, html_of, live_server, shoot  # noqa: F401  (fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("app_questionnaires")]

SCORED = APP_QUESTIONNAIRES / "scored.yaml"
PASSWORD = "assessor-pass-1"


@pytest.fixture
def desktop():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page = context.new_page()
        yield page
        context.close()
        browser.close()


def issue_from_the_page(page, base: str, evaluation_id: int) -> None:
    page.goto(f"{base}/staff/evaluations/{evaluation_id}/issue")
    assert page.locator("#complete").is_visible()
    preview = page.request.get(f"{base}/staff/evaluations/{evaluation_id}/preview.pdf")
    assert preview.ok and preview.headers["content-type"] == "application/pdf"
    text = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"], input=preview.body(), check=True,
                          capture_output=True).stdout.decode("utf-8")
    pages = ["".join(p.split()) for p in text.split("\f") if p.strip()]
    assert pages and all("预览·未签发" in p for p in pages)
    page.check("input[name=previewed]")
    page.fill("input[name=password]", "wrong-password")
    page.click("button:has-text('签发报告')")
    assert "密码不正确" in html_of(page)
    page.check("input[name=previewed]")
    page.fill("input[name=password]", PASSWORD)
    shoot(page, f"evaluation-{evaluation_id}-confirm")
    page.click("button:has-text('签发报告')")


def surveyed_circle(db):
    """A circle of 1,000 with an open resident survey of 30 paper answers (27 satisfied with the
    outlets, all with the service: 3% of 1,000 met) and an assessor granted it."""
    circle = make_circle(db, name="浏览器生活圈", population=1000, communities=(("东社区", 1000),))
    campaign = make_campaign(db, circle, SCORED)
    record_many(db, campaign, load_questionnaire(SCORED), [NewResponse(channel="paper", answers={
        "community": "东社区", "business_overall": "5" if i < 27 else "2", "service_overall": "4"})
        for i in range(30)])
    user = create_user(db, "assessor-e2e", PASSWORD, "assessor", "评估员乙")
    grant_circle(db, user, circle)
    return circle, campaign, user


def test_a_round_from_draft_to_issued_to_corrected(app, db, live_server, desktop):
    page, base = desktop, live_server
    circle, campaign, user = surveyed_circle(db)

    page.goto(f"{base}/staff/login")
    page.fill("input[name=username]", "assessor-e2e")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")

    # Creating a round asks for its survey (the resident campaign is offered first) and confirms.
    page.goto(f"{base}/staff/circles/{circle.id}")
    assert page.locator("select[name=campaign]").input_value() == str(campaign.id)
    page.click("button:has-text('下一步：确认')")
    page.wait_for_load_state("load")
    assert page.locator(".confirm-box").is_visible()
    shoot(page, "evaluation-01-confirm-new-round")
    page.click("button:has-text('确认开始第 1 轮评价')")
    assert "已开始第 1 轮评价（草稿）" in html_of(page)
    assert page.locator("h1 .pill.state-draft").inner_text() == "草稿"
    evaluation_id = int(page.url.rstrip("/").split("/")[-1].split("#")[0])
    shoot(page, "evaluation-02-draft")

    # The circle's history shows the draft as 进行中, not as a grade or a move.
    page.goto(f"{base}/staff/circles/{circle.id}")
    assert "进行中" in page.locator("table").inner_text() and "不合格" not in page.locator("table").inner_text()

    # Incomplete: the check stops it and lists what is missing, with links.
    page.goto(f"{base}/staff/evaluations/{evaluation_id}")
    page.click("button:has-text('提交待签发')")
    assert "还不完整" in html_of(page)
    missing = page.locator("#missing li")
    assert missing.count() == 10 and "业态清单（有没有）尚未保存" in missing.first.inner_text()
    assert page.locator("form[action$='/reports']").count() == 0           # no way to issue yet
    shoot(page, "evaluation-03-incomplete")

    # Fill: the inventory and one indicator in the browser, the rest as the assessor's field notes.
    missing.first.locator("a").click()
    page.check("input[name=present_convenience_store]")
    page.fill("input[name=outlets_convenience_store]", "3")
    page.click("button:has-text('保存')")
    page.goto(f"{base}/staff/evaluations/{evaluation_id}/indicators/promotion")
    page.fill("input[name=fact_events]", "5")
    page.click("button:has-text('保存并计分')")
    with app.app_context():
        complete_round(db, db.get(Evaluation, evaluation_id))
    page.goto(f"{base}/staff/evaluations/{evaluation_id}")
    page.click("button:has-text('提交待签发')")
    page.wait_for_load_state("load")
    assert page.locator("#complete").is_visible()
    shoot(page, "evaluation-04-ready")

    issue_from_the_page(page, base, evaluation_id)
    assert page.locator("h1 .pill.state-issued").inner_text() == "已签发"
    assert "PJ-" in page.locator("#lifecycle").inner_text()
    first_number = page.locator("#reports td").first.inner_text()
    shoot(page, "evaluation-05-issued")

    # Correct it: a draft copy, edited and issued under a new number that names the old one.
    page.click("a:has-text('更正…')")
    assert page.locator("textarea[name=reason]").get_attribute("required") is not None  # a reason is required
    page.fill("textarea[name=reason]", "促消费活动场次应为 6 场")
    page.click("button:has-text('建立更正稿')")
    correction_id = int(page.url.rstrip("/").split("/")[-1].split("#")[0])
    assert correction_id != evaluation_id and "更正稿 1" in page.locator("h1").inner_text()
    page.goto(f"{base}/staff/evaluations/{correction_id}/indicators/promotion")
    page.fill("input[name=fact_events]", "6")
    page.click("button:has-text('保存并计分')")
    page.goto(f"{base}/staff/evaluations/{correction_id}")
    page.click("button:has-text('提交待签发')")
    issue_from_the_page(page, base, correction_id)
    assert page.locator("h1 .pill.state-issued").inner_text() == "已签发"
    assert f"更正并取代 {first_number}" in page.locator("#lifecycle").inner_text()

    page.goto(f"{base}/staff/evaluations/{evaluation_id}")
    assert page.locator("h1 .pill.state-corrected").inner_text() == "已更正"
    assert "已被" in page.locator("#lifecycle").inner_text()
    shoot(page, "evaluation-06-corrected")
    page.goto(f"{base}/staff/circles/{circle.id}")
    history = page.locator("table").inner_text()
    assert "已签发" in history and "已更正" in history
    shoot(page, "evaluation-07-history")
