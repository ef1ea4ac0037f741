"""A firm sets up a new city in Debian's headless Chromium (desktop size), one browser, no
command line (only the first admin exists, as ``surveyapp user create`` leaves it):

1. the admin creates the assessor's account with a one-time password and signs out;
2. the assessor signs in with it, is made to choose their own password, downloads the city-list
   template, uploads a list with a mistake (row 3, column B), reads it, uploads the corrected list,
   confirms, opens the resident survey for the three circles at once, downloads all posters (one
   PDF) and all QR codes (one ZIP), uploads one survey's paper questionnaires (one bad row: fixed,
   uploaded again, confirmed) and finds the counts on the city overview;
3. the admin takes one circle away from the assessor, disables the account, and finds all of it in
   the audit log (操作记录), times in China time.

No page reports a CSP violation, and axe-core finds no serious WCAG 2.1 A/AA violation on the pages
of the way. Set SURVEYAPP_SCREENSHOTS=<folder> to keep a PNG of every step.
"""
from __future__ import annotations

import io
import subprocess
import zipfile
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from surveyapp.auth.users import create_user
from surveyapp.models import AuditEntry, Campaign, Circle, CircleAccess, Response, User

from .test_e2e_paged import axe_violations
from .test_e2e_resident import CHROMIUM, CHROMIUM_ARGS, html_of, live_server, shoot  # noqa: F401  (fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("project_questionnaires")]

ADMIN_PASSWORD = "admin-pass-12"
OWN_PASSWORD = "firm-own-pass-7"
CITY = [["东湖生活圈", 18000, 2, "东湖社区=10000；湖滨社区=8000", "东湖区", None, None, None, None, None, None],
        ["西岭生活圈", "两万", 2, "西岭社区=20000", None, None, None, None, None, None, None],
        ["南塘生活圈", 9000, 3, None, None, None, None, None, None, None, None]]
PAPER = [
    {"serial": "A-001", "community": "东湖社区", "age_band": "a60_69", "years_lived": "y10_plus",
     "business_overall": "4", "service_overall": "5"},
    {"serial": "A-002", "community": "湖滨社区", "age_band": "a30_44", "years_lived": "y1_3",
     "business_overall": "9", "service_overall": "4"},
    {"serial": "A-003", "community": "东湖社区", "age_band": "a45_59", "years_lived": "y10_plus",
     "business_overall": "5", "service_overall": "5"},
]


@pytest.fixture
def desktop():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True)
        page = context.new_page()
        yield page
        context.close()
        browser.close()


def city_list(template: bytes, rows) -> bytes:
    """The downloaded list template with its example row replaced by ``rows``."""
    workbook = load_workbook(io.BytesIO(template))
    sheet = workbook.worksheets[0]
    sheet.delete_rows(2)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def paper_entries(path, rows) -> list[str]:
    """Type ``rows`` (question name → value) into the downloaded entry template; its header."""
    workbook = load_workbook(path)
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    for number, row in enumerate(rows, start=2):
        for name, value in row.items():
            sheet.cell(row=number, column=header.index(name) + 1, value=value)
    workbook.save(path)
    return header


def sign_in(page, base, username, password):
    page.goto(f"{base}/staff/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def sign_out(page):
    page.click(".staffbar button:has-text('退出')")
    assert "您已退出登录" in html_of(page)


def overview_row(page, name: str) -> str:
    return page.locator("table.overview tbody tr", has_text=name).inner_text()


def test_a_firm_sets_up_a_city_from_its_accounts_to_the_audit_log(app, db, live_server, desktop, tmp_path):
    page, base = desktop, live_server
    csp, axe = [], []
    page.on("console", lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None)

    def check(name: str) -> None:
        shoot(page, name)
        axe.extend(f"{name}: {v}" for v in axe_violations(page))

    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    create_user(db, "admin", ADMIN_PASSWORD, "admin", "市商务局管理员")

    # 1. The admin creates the firm's account with the one-time password the page suggests.
    sign_in(page, base, "admin", ADMIN_PASSWORD)
    page.click(".staffbar a:has-text('账户管理')")
    page.click("a:has-text('新建账户')")
    page.fill("input[name=username]", "firm")
    page.fill("input[name=display_name]", "示例评价机构")
    page.select_option("select[name=role]", "assessor")
    one_time = page.locator("input[name=password]").input_value()
    assert len(one_time) == 12
    check("city-01-new-account")
    page.click("button:has-text('新建')")
    assert "已新建账户 firm" in page.locator(".flash").inner_text()
    firm = db.exec(select(User).where(User.username == "firm")).one()
    assert (firm.role, firm.display_name, firm.must_change_password, firm.active) == \
        ("assessor", "示例评价机构", True, True)
    check("city-02-account")
    sign_out(page)

    # 2. The assessor must choose a password of their own before anything else.
    sign_in(page, base, "firm", one_time)
    assert page.url == f"{base}/staff/password"
    page.goto(f"{base}/staff/")
    assert page.url == f"{base}/staff/password"
    assert "一次性密码" in page.locator("form.login .hint").first.inner_text()
    check("city-03-own-password")
    page.fill("#current_password", one_time)
    page.fill("#new_password", OWN_PASSWORD)
    page.fill("#confirm", OWN_PASSWORD)
    page.click("button:has-text('保存新密码')")
    assert page.url == f"{base}/staff/" and "密码已修改" in page.locator(".flash").inner_text()
    db.expire_all()
    assert not db.get(User, firm.id).must_change_password

    # The city list: template, a mistake at row 3 column B, the fix, the confirmation.
    page.click("nav >> text=生活圈与评价")
    page.click("text=导入城市生活圈清单")
    check("city-04-import")
    with page.expect_download() as download:
        page.click("text=下载清单模板（Excel）")
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)
    assert load_workbook(template).sheetnames == ["生活圈清单", "填写说明"]
    listing = tmp_path / "城市清单.xlsx"
    rows = [list(row) for row in CITY]
    listing.write_bytes(city_list(template.read_bytes(), rows))
    page.set_input_files("input[name=file]", str(listing))
    page.click("button:has-text('检查文件')")
    page.wait_for_load_state("load")
    problems = page.locator(".problem-list tbody tr")
    assert problems.count() == 1
    assert problems.first.inner_text().split("\t")[:2] == ["3", "B"]
    assert "服务人口应为正整数" in problems.first.inner_text()
    check("city-05-problems")
    assert db.exec(select(Circle)).all() == []

    rows[1][1] = 20000
    listing.write_bytes(city_list(template.read_bytes(), rows))
    page.set_input_files("input[name=file]", str(listing))
    page.click("button:has-text('检查文件')")
    assert "3 个生活圈" in page.locator(".ok-note").inner_text()
    check("city-06-confirm")
    page.click("button:has-text('确认导入这 3 个生活圈')")

    # Straight on to opening the surveys, the new circles already ticked.
    assert "已导入 3 个生活圈" in html_of(page)
    assert page.locator("input[name=circles]:checked").count() == 3
    check("city-07-open-surveys")
    page.click("button:has-text('开启调查')")
    assert "已为 3 个生活圈开启居民问卷调查" in html_of(page)
    check("city-08-batch")
    circles = db.exec(select(Circle).order_by(Circle.id)).all()
    assert [(c.name, c.population) for c in circles] == [("东湖生活圈", 18000), ("西岭生活圈", 20000),
                                                         ("南塘生活圈", 9000)]
    assert set(db.exec(select(CircleAccess.circle_id).where(CircleAccess.user_id == firm.id))) == \
        {c.id for c in circles}
    campaigns = db.exec(select(Campaign).order_by(Campaign.id)).all()
    assert [(c.circle_id, c.kind) for c in campaigns] == [(c.id, "resident") for c in circles]

    with page.expect_download() as download:
        page.click("text=下载全部海报")
    pdf = tmp_path / "posters.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"], check=True,
                          capture_output=True).stdout.decode("utf-8")
    pages = text.split("\f")[:-1]
    assert [next(n for n in ("东湖", "西岭", "南塘") if n in p) for p in pages] == ["东湖", "西岭", "南塘"]
    with page.expect_download() as download:
        page.click("text=下载全部二维码")
    archive = zipfile.ZipFile(download.value.path())
    assert sum(name.endswith(".png") for name in archive.namelist()) == 3

    # The overview before any answer: 3 % of each population is required.
    page.click(".staffbar a:has-text('总览')")
    assert "共 3 个生活圈" in page.locator("h1").inner_text()
    assert "0 / 540" in overview_row(page, "东湖生活圈") and "样本还差 540 份" in overview_row(page, "东湖生活圈")
    shoot(page, "city-09-overview-before")  # axe: the same page with its answers, below

    # 东湖's paper questionnaires: entry template, one bad row, fixed, uploaded again, confirmed.
    page.locator("table.overview tbody tr", has_text="东湖生活圈").locator("a:has-text('进行中')").click()
    page.click("a:has-text('上传纸质问卷')")
    assert page.url == f"{base}/staff/campaigns/{campaigns[0].id}/paper"
    check("city-10-paper")
    with page.expect_download() as download:
        page.click("a:has-text('下载录入模板')")
    entries = tmp_path / "录入.xlsx"
    download.value.save_as(entries)
    header = paper_entries(entries, PAPER)
    page.set_input_files("input[name=file]", str(entries))
    page.click("button:has-text('上传并检查')")
    page.wait_for_load_state("load")
    problem = page.locator("table.problem-list tbody tr")
    assert problem.count() == 1
    letter = chr(ord("A") + header.index("business_overall"))
    assert problem.first.locator("td").all_inner_texts()[:4] == ["3", letter, "business_overall", "9"]
    assert "未保存任何问卷" in html_of(page)
    check("city-11-paper-problem")
    assert db.exec(select(Response)).all() == []
    paper_entries(entries, [{}, {"business_overall": "4"}])
    page.set_input_files("input[name=file]", str(entries))
    page.click("button:has-text('上传并检查')")
    assert "将要保存的纸质问卷\t3 份" in page.locator("section.confirm table.counts").inner_text()
    check("city-12-paper-confirm")
    page.click("button:has-text('确认保存 3 份问卷')")
    assert "已导入 3 份纸质问卷（录入.xlsx）" in html_of(page)
    assert page.url.endswith(f"/staff/campaigns/{campaigns[0].id}")
    stored = db.exec(select(Response).order_by(Response.id)).all()
    assert [(r.campaign_id, r.channel, r.serial, r.answers["community"], r.answers["business_overall"])
            for r in stored] == [(campaigns[0].id, "paper", "A-001", "东湖社区", "4"),
                                 (campaigns[0].id, "paper", "A-002", "湖滨社区", "4"),
                                 (campaigns[0].id, "paper", "A-003", "东湖社区", "5")]

    page.click(".staffbar a:has-text('总览')")
    for name, counts, short in (("东湖生活圈", "3 / 540", 537), ("西岭生活圈", "0 / 600", 600),
                                ("南塘生活圈", "0 / 270", 270)):
        row = overview_row(page, name)
        assert counts in row and f"样本还差 {short} 份" in row, row
    check("city-13-overview-after")

    # The assessor's other pages of the way: dates, a circle's edit form, a refused new circle.
    page.goto(f"{base}/staff/campaigns/{campaigns[0].id}/schedule")
    check("city-14-schedule")
    page.goto(f"{base}/staff/circles/{circles[0].id}/edit")
    check("city-15-edit")
    page.goto(f"{base}/staff/campaigns")
    shoot(page, "city-16-campaigns")
    page.goto(f"{base}/staff/circles/new")
    page.fill("input[name=name]", "北湖生活圈")
    page.fill("input[name=population]", "一万二")
    page.fill("input[name='communities-0-name']", "北湖社区")
    page.click("button:has-text('登记')")
    page.wait_for_load_state("load")
    field = page.locator(".field.has-error", has=page.locator("input[name=population]"))
    assert "服务人口应为正整数" in field.inner_text()
    assert page.locator(".field.has-error").count() == 2  # the population and the communities
    assert page.locator("input[name=population]").input_value() == "一万二"
    assert "请填写这个社区的人口" in page.locator(".community-rows tr.has-error").inner_text()
    check("city-17-new-circle-errors")
    page.goto(f"{base}/staff/circles")
    shoot(page, "city-18-circles")
    sign_out(page)

    # 3. The admin takes 南塘 away from the firm, then disables the account.
    sign_in(page, base, "admin", ADMIN_PASSWORD)
    page.click(".admin-links a:has-text('账户管理')")
    row = page.locator("table.accounts tbody tr", has_text="firm")
    assert "东湖生活圈、南塘生活圈、西岭生活圈" in row.inner_text() and "正常" in row.inner_text()
    check("city-19-accounts")
    row.locator("a:has-text('管理')").click()
    page.get_by_label("南塘生活圈").uncheck()
    page.click("button:has-text('保存生活圈')")
    assert "可查看的生活圈已保存" in page.locator(".flash").inner_text()
    assert set(db.exec(select(CircleAccess.circle_id).where(CircleAccess.user_id == firm.id))) == \
        {circles[0].id, circles[1].id}
    page.click("button:has-text('停用这个账户')")
    assert "账户已停用" in page.locator(".flash").inner_text()
    shoot(page, "city-20-disabled")  # axe: the account page, above
    db.expire_all()
    assert not db.get(User, firm.id).active

    # Everything above is in the audit log, in order, and on its page.
    actions = [(e.actor, e.action) for e in db.exec(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == [
        ("admin", "auth.login"), ("admin", "account.create"), ("admin", "auth.logout"),
        ("firm", "auth.login"), ("firm", "account.own_password"),
        *[("firm", "circle.create")] * 3, ("firm", "circle.import"), *[("firm", "campaign.open")] * 3,
        ("firm", "responses.import"), ("firm", "auth.logout"),
        ("admin", "auth.login"), ("admin", "account.circles"), ("admin", "account.disable")]
    page.click(".staffbar a:has-text('操作记录')")
    log = page.locator("table.audit > tbody").inner_text()
    for text in ("新建账户 示例评价机构（firm），角色：评价机构", "修改了自己的密码（替换一次性密码）",
                 "导入城市生活圈清单 城市清单.xlsx：3 个生活圈", "为 东湖生活圈 开启居民问卷调查 #1",
                 "导入纸质问卷 3 份（录入.xlsx）", "可查看的生活圈（增加 0 个，取消 1 个）", "停用账户 示例评价机构（firm）",
                 "退出登录（该账户所有会话均已结束）"):
        assert text in log, text
    assert "T00:00" not in log and "+00:00" not in log  # times in before/after are China time too
    target = page.locator("table.audit > tbody > tr", has_text="导入生活圈清单").locator("> td").nth(3)
    assert target.inner_text().split("\n") == ["生活圈清单", f"生活圈 #{circles[0].id}"]
    check("city-21-audit")
    page.select_option("select[name=action]", "campaign.open")
    page.click("button:has-text('筛选')")
    page.wait_for_load_state("load")
    opened = page.locator("table.audit > tbody > tr")
    assert opened.count() == 3
    dates = opened.first.locator("table.changes").inner_text()
    assert f"开始时间\t{today.isoformat()} 00:00:00" in dates
    assert f"截止时间\t{(today + timedelta(days=29)).isoformat()} 23:59:59" in dates
    page.fill("input[name=date_from]", "2026-12-05")
    page.fill("input[name=date_to]", "2026-12-01")
    page.click("button:has-text('筛选')")
    assert "结束日期不能早于开始日期" in page.locator(".field.has-error").inner_text()
    shoot(page, "city-22-audit-bad-dates")  # axe: the log above, the error markup on city-17
    assert not csp, csp
    assert not axe, axe
