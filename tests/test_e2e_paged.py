"""The paged questionnaire as residents and interviewers use it: a 390×844 phone in Debian's
headless Chromium, with and without JavaScript, in both text sizes.

Checked on the way: axe-core (vendored in tests/vendor, test tooling only) finds no serious
or critical WCAG 2.1 A/AA violation on the notice, each step, an error state, the thank-you
page and large-text mode; every tap target measures at least 44×44 px; in large-text mode
choice cards stand in one column and no label breaks inside a word; the first screen of the
form weighs under 15 KB on the wire and no request leaves the site.

Set SURVEYAPP_SCREENSHOTS=<folder> to keep a PNG of every step in both text sizes.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlmodel import select

from surveyapp.models import AnswerDraft, Response

from .helpers import PROJECT_QUESTIONNAIRES, make_campaign, make_circle
from .test_e2e_resident import CHROMIUM, CHROMIUM_ARGS, html_of, live_server, shoot  # noqa: F401 (fixture)

pytestmark = pytest.mark.e2e

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
MIN_TARGET = 44
FIRST_SCREEN_BYTES = 15 * 1024
RESIDENT_STEPS = 5


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def phone(browser, javascript=True):
    return browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                               has_touch=True, locale="zh-CN", java_script_enabled=javascript)


@pytest.fixture
def resident_campaign(db):
    circle = make_circle(db, name="示例生活圈")
    return make_campaign(db, circle, PROJECT_QUESTIONNAIRES / "resident.yaml")


# --- checks run on every page -------------------------------------------------------------

def axe_violations(page) -> list[str]:
    """Serious and critical WCAG 2.1 A/AA violations axe-core finds on the page."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the browser's debugging protocol, which the page's CSP does not
        # govern (a script tag would be refused, as it should be).
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;true")
    found = page.evaluate("""tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})
        .then(r => r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', ')))""", AXE_TAGS)
    return found


SMALL_TARGETS = """min => {
  const targets = document.querySelectorAll(
    'a[href], button, label.option, summary, input[type=text], input[type=number], textarea, select');
  const small = [];
  for (const el of targets) {
    const box = el.getBoundingClientRect();
    if (!box.width && !box.height) continue;  // not shown (hidden question, closed "更多")
    if (box.width < min || box.height < min) small.push(`${el.tagName} "${el.textContent.trim().slice(0, 12)}" ${Math.round(box.width)}×${Math.round(box.height)}`);
  }
  return small;
}"""

# A line break inside a label is allowed only after punctuation or a space, or before an
# opening bracket: "大众餐饮店" / "（含外卖）" is fine, "便利" / "店" is not.
BROKEN_WORDS = """() => {
  const after = new Set('，、。；：）)/ ！？'.split('')), before = new Set('（('.split(''));
  const broken = [];
  for (const span of document.querySelectorAll('label.option span')) {
    const box = span.getBoundingClientRect();
    if (!box.width) continue;
    const text = span.firstChild;
    if (!text || !text.length) continue;
    const range = document.createRange();
    let top = null;
    for (let i = 0; i < text.length; i++) {
      range.setStart(text, i); range.setEnd(text, i + 1);
      const rect = range.getBoundingClientRect();
      if (top !== null && rect.top > top + 2) {
        const prev = text.data[i - 1], next = text.data[i];
        if (!after.has(prev) && !before.has(next)) broken.push(text.data.slice(0, i) + '|' + text.data.slice(i));
      }
      top = rect.top;
    }
  }
  return broken;
}"""

TWO_CARDS_IN_A_ROW = """() => {
  const rows = [];
  for (const group of document.querySelectorAll('.options:not(.likert)')) {
    const lefts = new Set([...group.querySelectorAll('label.option')].filter(o => o.getBoundingClientRect().width)
      .map(o => Math.round(o.getBoundingClientRect().left)));
    if (lefts.size > 1) rows.push(group.getAttribute('aria-labelledby'));
  }
  return rows;
}"""


def check_page(page, *, large=False):
    """The checks every page of the journey must pass (with "更多" opened, to measure it too)."""
    page.evaluate("document.querySelectorAll('details.more').forEach(d => { d.open = true; })")
    assert axe_violations(page) == []
    assert page.evaluate(SMALL_TARGETS, MIN_TARGET) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.evaluate(BROKEN_WORDS) == []
    if large:
        assert page.evaluate(TWO_CARDS_IN_A_ROW) == []


def progress_of(page) -> tuple[int, int]:
    text = page.locator(".progress label").inner_text()
    position, total = re.search(r"第 (\d+) 步 / 共 (\d+) 步", text).groups()
    return int(position), int(total)


# --- answering -----------------------------------------------------------------------------

def answer_step(page, unhappy=False, child=False) -> None:
    """Answer every visible question of the step as a resident would."""
    for name in page.eval_on_selector_all(".question", "els => els.map(e => e.dataset.name)"):
        box = page.locator(f"#q-{name}")
        if not box.is_visible():
            continue
        kind = box.get_attribute("data-type")
        if kind == "likert5":
            box.locator("label.option.score-" + ("2" if unhappy and name == "business_overall" else "4")).click()
        elif kind == "select_one":
            options = box.locator("label.option")
            if name == "child_under3":
                options.nth(0 if child else 1).click()
            else:
                options.first.click()
        elif kind == "select_multiple":
            box.locator("label.option").nth(1).click()
        elif kind in ("integer", "decimal"):
            box.locator("input").fill("8")
        elif kind == "text":
            box.locator("textarea, input").first.fill("希望多开一家早餐店")


def press(page, label: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=label).click()


def walk_to_the_end(page, check=None, shots=None, **answers) -> int:
    """Answer step after step until the thank-you page; returns the steps seen."""
    seen = 0
    while "/thanks" not in page.url:
        seen += 1
        assert seen <= 8, "the questionnaire did not end"
        answer_step(page, **answers)
        if check:
            check(page)
        if shots:
            shoot(page, f"{shots}-step{seen}")
        last = page.get_by_role("button", name="提交").count()
        press(page, "提交" if last else "下一步")
    return seen


def stored(db, campaign):
    db.expire_all()
    return db.exec(select(Response).where(Response.campaign_id == campaign.id).order_by(Response.id)).all()


# --- the journeys ----------------------------------------------------------------------------

def test_paged_answer_with_javascript_checks_every_page(db, live_server, browser, resident_campaign):
    """Notice, an error state, each step, thanks: axe, tap targets, progress; and the weight
    of the first screen of the form, with nothing fetched from another site."""
    context = phone(browser)
    page = context.new_page()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{live_server}/s/{resident_campaign.token}")
    assert "约 3 分钟" in html_of(page) and "一部手机最多可以填写 3 份" in html_of(page)
    check_page(page)
    shoot(page, "paged-0-notice")

    transferred = []
    page.on("requestfinished", lambda request: transferred.append(
        request.sizes()["responseBodySize"] + request.sizes()["responseHeadersSize"]))
    page.get_by_text("开始填写").click()
    page.wait_for_load_state("networkidle")
    assert sum(transferred) < FIRST_SCREEN_BYTES, transferred
    assert progress_of(page) == (1, RESIDENT_STEPS)

    press(page, "下一步")  # nothing answered: the errors, named, with jump links
    assert page.locator(".question.has-error").count() == 3
    links = page.locator(".error-links a").all_inner_texts()
    assert links == ["您住在哪个社区", "您的年龄", "您在这里住了多久"]
    assert "请回答这一题" in html_of(page)
    check_page(page)
    shoot(page, "paged-1-errors")

    positions = []
    walk_to_the_end(page, check=lambda p: (check_page(p), positions.append(progress_of(p))), shots="paged")
    assert positions == [(i, RESIDENT_STEPS) for i in range(1, RESIDENT_STEPS + 1)]
    assert "提交成功" in html_of(page) and "为家人再填一份" in html_of(page)
    check_page(page)
    shoot(page, "paged-9-thanks")

    origin = urlsplit(live_server).netloc
    assert {urlsplit(url).netloc for url in requests if not url.startswith("data:")} == {origin}
    [row] = stored(db, resident_campaign)
    assert row.channel == "qr" and row.device_slot == 1 and row.answers["community"] == "东社区"
    assert row.answers["business_overall"] == "4" and "business_problems" not in row.answers
    assert db.exec(select(AnswerDraft)).all() == []  # the draft went with the stored answer
    context.close()


def test_large_text_mode_every_step(db, live_server, browser, resident_campaign):
    """Large text: axe, 44 px targets, one column of cards, no label broken inside a word."""
    context = phone(browser)
    page = context.new_page()
    page.goto(f"{live_server}/s/{resident_campaign.token}")
    page.get_by_text("大字模式").click()
    assert page.evaluate("document.documentElement.className") == "large-text"
    check_page(page, large=True)
    shoot(page, "large-0-notice")
    page.get_by_text("开始填写").click()
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.className") == "large-text"  # the cookie carries it

    steps = walk_to_the_end(page, check=lambda p: check_page(p, large=True), shots="large", unhappy=True, child=True)
    assert steps == RESIDENT_STEPS
    check_page(page, large=True)
    shoot(page, "large-9-thanks")
    [row] = stored(db, resident_campaign)
    assert row.answers["business_overall"] == "2" and row.answers["business_problems"]
    assert row.answers.get("sat_childcare") == "4", row.answers
    context.close()


def test_paged_answer_without_javascript_reaches_every_follow_up(db, live_server, browser, resident_campaign):
    context = phone(browser, javascript=False)
    page = context.new_page()
    page.goto(f"{live_server}/s/{resident_campaign.token}/answer")
    answer_step(page, child=True)
    press(page, "下一步")
    assert progress_of(page) == (2, RESIDENT_STEPS)
    assert not page.locator("#q-business_problems").is_visible()
    answer_step(page, unhappy=True)
    press(page, "下一步")  # the follow-up to 不满意 appears on the same step, marked
    assert progress_of(page) == (2, RESIDENT_STEPS)
    assert page.locator("#q-business_problems.revealed").is_visible()
    shoot(page, "nojs-2-revealed")
    page.locator("#q-business_problems label.option").first.click()
    press(page, "下一步")
    assert progress_of(page) == (3, RESIDENT_STEPS)
    assert page.locator("#q-sat_childcare").is_visible()  # asked because of step 1's answer
    walk_to_the_end(page)
    [row] = stored(db, resident_campaign)
    assert row.answers["business_problems"] == ["too_few"] and row.answers["sat_childcare"] == "4"
    context.close()


@pytest.fixture
def single_page_campaign(db, tmp_path):
    """The real resident questionnaire in single-page mode (style: single)."""
    folder = tmp_path / "questionnaires"
    shutil.copytree(PROJECT_QUESTIONNAIRES / "catalogues", folder / "catalogues")
    text = (PROJECT_QUESTIONNAIRES / "resident.yaml").read_text(encoding="utf-8")
    (folder / "resident.yaml").write_text(text.replace("style: pages", "style: single"), encoding="utf-8")
    circle = make_circle(db, name="单页生活圈")
    return make_campaign(db, circle, folder / "resident.yaml")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_single_page_answer(db, live_server, browser, single_page_campaign, javascript):
    context = phone(browser, javascript=javascript)
    page = context.new_page()
    page.goto(f"{live_server}/s/{single_page_campaign.token}/answer")
    assert page.locator(".progress").count() == 0 and page.locator(".question").count() == 27
    answer_step(page, unhappy=True)
    if javascript:  # shown at once in the page, and answered with the rest
        assert page.locator("#q-business_problems").is_visible()
        expected = ["too_far"]
    else:  # shown by the server after the first press, nothing lost
        press(page, "提交")
        assert page.locator("#q-business_problems.revealed").is_visible()
        assert page.locator("#q-suggestion textarea").input_value() == "希望多开一家早餐店"
        page.locator("#q-business_problems label.option").first.click()
        expected = ["too_few"]
    shoot(page, f"single-{'js' if javascript else 'nojs'}")
    press(page, "提交")
    assert "/thanks" in page.url
    [row] = stored(db, single_page_campaign)
    assert row.answers["business_problems"] == expected and row.answers["suggestion"] == "希望多开一家早餐店"
    context.close()


def test_leaving_on_step_3_and_coming_back(db, live_server, browser, resident_campaign):
    context = phone(browser)
    page = context.new_page()
    page.goto(f"{live_server}/s/{resident_campaign.token}/answer")
    for _ in range(2):
        answer_step(page)
        press(page, "下一步")
    assert progress_of(page) == (3, RESIDENT_STEPS)
    page.locator("#q-sat_convenience_store label.option.score-5").click()  # typed, not sent yet
    page.goto("about:blank")  # leaving: survey.js keeps the step in the draft
    page.close()

    page = context.new_page()  # the link opened again on the same phone
    page.goto(f"{live_server}/s/{resident_campaign.token}")
    page.get_by_text("开始填写").click()
    page.wait_for_load_state()
    assert progress_of(page) == (3, RESIDENT_STEPS)
    assert page.locator("#q-sat_convenience_store input[value='5']").is_checked()
    shoot(page, "resume-step3")
    press(page, "上一步")
    assert progress_of(page) == (2, RESIDENT_STEPS)
    assert page.locator("#q-business_overall input[value='4']").is_checked()
    context.close()


def test_second_family_answer_from_the_same_phone(db, live_server, browser, resident_campaign):
    resident_campaign.answers_per_device = 2
    db.add(resident_campaign)
    db.commit()
    context = phone(browser)
    page = context.new_page()
    page.goto(f"{live_server}/s/{resident_campaign.token}")
    assert "一部手机最多可以填写 2 份" in html_of(page)
    page.get_by_text("开始填写").click()
    walk_to_the_end(page)
    page.get_by_text("为家人再填一份").click()
    page.wait_for_load_state()
    assert "为家人填写的第 2 份" in html_of(page)
    shoot(page, "family-notice")
    page.get_by_text("开始填写").click()
    page.wait_for_load_state()
    assert progress_of(page) == (1, RESIDENT_STEPS)  # a fresh form, not the first person's
    assert not page.locator("#q-age_band input:checked").count()
    walk_to_the_end(page)
    assert "为家人再填一份" not in html_of(page)  # two of two
    page.goto(f"{live_server}/s/{resident_campaign.token}")
    assert "已经填写了 2 份" in html_of(page)
    shoot(page, "family-limit")
    first, second = stored(db, resident_campaign)
    assert (first.device_slot, second.device_slot) == (1, 2) and first.device_hash == second.device_hash
    assert not first.household_extra and second.household_extra
    context.close()


def test_interviewer_takes_three_answers_in_a_row(app, db, live_server, browser, resident_campaign):
    from surveyapp.auth.users import create_user, grant_circle
    from surveyapp.models import Circle

    interviewer = create_user(db, "fangyuan", "interview-pass-1", "interviewer", "李访员")
    grant_circle(db, interviewer, db.get(Circle, resident_campaign.circle_id))
    context = phone(browser)
    page = context.new_page()
    page.goto(f"{live_server}/staff/login")
    page.fill("input[name=username]", "fangyuan")
    page.fill("input[name=password]", "interview-pass-1")
    with page.expect_navigation():
        page.locator("button[type=submit]").click()
    assert "访员模式" in html_of(page)
    page.get_by_text("开始访问").click()
    page.wait_for_load_state()
    for number in range(1, 4):
        assert progress_of(page) == (1, RESIDENT_STEPS + 1)  # where the person lives, alone, first
        assert page.locator(".question:visible").count() == 1
        if number == 1:
            check_page(page)
            shoot(page, "interview-1-residence")
        walk_to_the_end_of_interview(page)
        assert f"今天已访问 {number} 位" in html_of(page) or f"已访问 {number} 位" in html_of(page)
        if number == 1:
            shoot(page, "interview-2-saved")
        page.get_by_text("访问下一位").click()
        page.wait_for_load_state()
    rows = stored(db, resident_campaign)
    assert len(rows) == 3
    assert {(r.channel, r.interviewer_id, r.device_hash) for r in rows} == {("interview", interviewer.id, None)}
    assert all(r.duration_seconds is not None for r in rows)
    context.close()


def walk_to_the_end_of_interview(page) -> None:
    for _ in range(8):
        answer_step(page)
        label = "提交" if page.get_by_role("button", name="提交").count() else "下一步"
        press(page, label)
        if "/saved" in page.url:
            return
    raise AssertionError("the interview did not end")
