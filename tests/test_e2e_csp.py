"""Every page satisfies the Content-Security-Policy in a real browser (issue 10, item 10): Debian's
headless Chromium opens every HTML page of the app at a phone's size (390 × 844; staff pages
signed in as an admin) and no CSP violation may be reported. The same walk checks that no page
is wider than the phone's screen: officers and assessors in the field read the staff pages on a
phone too (wide tables scroll inside themselves or become cards).

Set SURVEYAPP_SCREENSHOTS=<folder> to keep a PNG of every page visited.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from .test_access_table import Walker
from .test_e2e_resident import CHROMIUM, CHROMIUM_ARGS, live_server  # noqa: F401  (fixture)
from .world import PASSWORDS, build_world

pytestmark = pytest.mark.e2e


@pytest.fixture
def app_config(app_config):
    app_config["RATELIMIT_ENABLED"] = False
    app_config["WTF_CSRF_ENABLED"] = False  # the walk signs in with plain posts
    return app_config


def html_pages(app, world):
    """(endpoint, url) of every GET page that answers HTML to an admin (downloads left out)."""
    walker = Walker(app, world)
    client = walker.client("admin")
    pages = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        if "GET" not in rule.methods or rule.endpoint in ("static", "collect.text_size"):
            continue
        url = walker.url(rule, "own")
        response = client.get(url)
        if response.status_code == 200 and response.mimetype == "text/html":
            pages.append((rule.endpoint, url))
    return pages


def test_no_page_violates_the_content_security_policy(app, db, live_server):  # noqa: F811
    from playwright.sync_api import sync_playwright

    world = build_world(app, db)
    pages = html_pages(app, world)
    assert len(pages) > 20
    folder = os.environ.get("SURVEYAPP_SCREENSHOTS")
    violations: list[str] = []
    too_wide: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        for public in (True, False):
            size = {"width": 390, "height": 844}
            context = browser.new_context(viewport=size, locale="zh-CN")
            page = context.new_page()
            current = {"url": ""}
            page.on("console", lambda message: violations.append(f"{current['url']}: {message.text}")
                    if "Content Security Policy" in message.text else None)
            # Requests still open when the page has loaded (a map's tiles, say): only then is it
            # worth waiting for the network to go quiet (Playwright waits 500 ms of quiet, which on
            # every one of some 60 pages was most of this test's time).
            pending: set = set()
            page.on("request", lambda request: pending.add(request))
            page.on("requestfinished", lambda request: pending.discard(request))
            page.on("requestfailed", lambda request: pending.discard(request))
            if not public:
                page.goto(f"{live_server}/staff/login")
                page.fill("#username", world.users["admin"].username)
                page.fill("#password", PASSWORDS["admin"])
                page.click("button[type=submit]")
                page.wait_for_load_state()
            for endpoint, url in pages:
                if endpoint.startswith(("collect.", "auth.login")) != public:
                    continue
                current["url"] = url
                page.goto(live_server + url, wait_until="load")
                if pending:
                    page.wait_for_load_state("networkidle")
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > 390:
                    too_wide.append(f"{url}: {width} px")
                if folder:
                    Path(folder).mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(Path(folder) / f"{endpoint}.png"), full_page=True)
            context.close()
        browser.close()
    assert not violations, "\n".join(violations)
    assert not too_wide, "wider than a phone's screen (390 px):\n" + "\n".join(too_wide)
