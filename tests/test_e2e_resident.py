"""A resident on a phone (390×844) in Debian's headless Chromium, driven by Playwright.

Set SURVEYAPP_SCREENSHOTS=<folder> to keep a PNG of every page of the journey.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from sqlmodel import select
from werkzeug.serving import make_server

from surveyapp.models import Response

from .helpers import APP_QUESTIONNAIRES, PROJECT_QUESTIONNAIRES, make_campaign, make_circle

pytestmark = pytest.mark.e2e

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def phone():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                      is_mobile=True, has_touch=True, locale="zh-CN")
        page = context.new_page()
        yield page
        context.close()
        browser.close()


def html_of(page) -> str:
    """The page's HTML once it has loaded. A click that submits a form returns when the next page
    has started to arrive, not when it has been read: page.content() at that moment once gave a
    CI run an empty <body> (the head parsed, the body not yet)."""
    page.wait_for_load_state("load")
    return page.content()


def shoot(page, name: str) -> None:
    folder = os.environ.get("SURVEYAPP_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def answer_visible_questions(page) -> None:
    """Answer every visible question the way a content resident would, in order."""
    names = page.eval_on_selector_all(".question", "els => els.map(e => e.dataset.name)")
    for name in names:
        box = page.locator(f"#q-{name}")
        if not box.is_visible():
            continue
        kind = box.get_attribute("data-type")
        if kind == "likert5":
            box.locator("label.option.score-4").click()
        elif kind == "select_one":
            box.locator("label.option").first.click()
        elif kind == "select_multiple":
            box.locator("label.option").nth(1).click()
        elif kind in ("integer", "decimal"):
            box.locator("input").fill("8")
        elif kind == "text":
            box.locator("textarea, input").first.fill("希望多开一家早餐店")


def test_resident_answers_the_real_questionnaire_on_a_phone(app, db, live_server, phone):
    circle = make_circle(db, name="示例生活圈")
    campaign = make_campaign(db, circle, PROJECT_QUESTIONNAIRES / "resident.yaml")
    campaign.answers_per_device = 1  # one answer per phone: the "already answered" page at the end
    db.add(campaign)
    db.commit()
    page = phone
    page.goto(f"{live_server}/s/{campaign.token}")
    shoot(page, "1-notice")
    assert "匿名" in html_of(page)
    page.get_by_text("大字模式").click()
    assert page.evaluate("document.documentElement.className") == "large-text"
    shoot(page, "2-notice-large")
    page.get_by_text("标准字号").click()
    page.get_by_text("开始填写").click()
    shoot(page, "3-form")

    page.locator("button[name=nav][value=next]").click()  # nothing answered: errors in Chinese
    page.wait_for_load_state()
    assert page.locator(".question.has-error").count() >= 1
    assert "请回答这一题" in html_of(page)
    shoot(page, "4-errors")

    for _ in range(8):  # one step per section, until the thank-you page
        answer_visible_questions(page)
        with page.expect_navigation():
            page.locator("button[name=nav][value=next]").click()
        if page.url.endswith("/thanks"):
            break
    shoot(page, "5-thanks")
    assert "提交成功" in html_of(page)

    db.expire_all()
    [row] = db.exec(select(Response).where(Response.campaign_id == campaign.id)).all()
    assert row.channel == "qr" and row.answers["community"] == "东社区"
    assert row.answers["business_overall"] == "4" and row.answers["service_overall"] == "4"

    page.goto(f"{live_server}/s/{campaign.token}")
    shoot(page, "6-already")
    assert "已经填写过" in html_of(page)


def test_skip_logic_runs_in_the_browser(app, app_config, db, live_server, phone):
    app.config["QUESTIONNAIRE_DIR"] = str(APP_QUESTIONNAIRES)
    circle = make_circle(db)
    campaign = make_campaign(db, circle, APP_QUESTIONNAIRES / "mini.yaml")
    page = phone
    page.goto(f"{live_server}/s/{campaign.token}/answer")
    follow_up = page.locator("#q-why_unhappy")
    assert not follow_up.is_visible()
    page.locator("#q-business_overall label.option.score-1").click()
    assert follow_up.is_visible()
    follow_up.locator("textarea").fill("太远了")
    page.locator("#q-business_overall label.option.score-5").click()
    assert not follow_up.is_visible()


def test_unavailable_pages_read_well_on_a_phone(app, db, live_server, phone):
    from surveyapp.campaigns.operations import close_campaign

    circle = make_circle(db, name="示例生活圈")
    later = make_campaign(db, circle, PROJECT_QUESTIONNAIRES / "resident.yaml", opens_in_days=3)
    closed = make_campaign(db, circle, PROJECT_QUESTIONNAIRES / "resident.yaml")
    close_campaign(db, closed)
    page = phone
    for name, path, text in [("7-not-yet-open", f"/s/{later.token}", "还没有开始"),
                             ("8-closed", f"/s/{closed.token}", "已经结束"),
                             ("9-unknown", "/s/not-a-real-token", "找不到这份问卷")]:
        page.goto(live_server + path)
        shoot(page, name)
        assert text in html_of(page)
        # readable on a phone: nothing wider than the screen
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
