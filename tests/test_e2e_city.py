"""An assessor sets up a new city in Debian's headless Chromium (desktop size), with no command
line: downloads the list template, uploads a list with a mistake, reads the problem, uploads the
corrected list, confirms, opens the resident survey for every new circle at once, and downloads
all posters (one PDF) and all QR codes (one ZIP). No page reports a CSP violation, and axe-core
finds no serious WCAG 2.1 A/AA violation on the pages of the way.

Set SURVEYAPP_SCREENSHOTS=<folder> to keep a PNG of every step.
"""
from __future__ import annotations

import io
import subprocess
import zipfile

import pytest
from openpyxl import Workbook, load_workbook
from sqlmodel import select

from surveyapp.auth.users import create_user
from surveyapp.models import AuditEntry, Campaign, Circle

from .test_e2e_paged import axe_violations
from .test_e2e_resident import CHROMIUM, CHROMIUM_ARGS, live_server, shoot  # noqa: F401  (fixture)

pytestmark = pytest.mark.e2e

PASSWORD = "assessor-pass-1"


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


def filled(template: bytes, rows) -> bytes:
    """The downloaded template with its example row replaced by ``rows``."""
    workbook = load_workbook(io.BytesIO(template))
    sheet = workbook.worksheets[0]
    sheet.delete_rows(2)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_assessor_imports_a_city_and_opens_its_surveys(app, db, live_server, desktop, tmp_path):
    page, base = desktop, live_server
    violations, axe = [], []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    create_user(db, "firm", PASSWORD, "assessor", "示例评价机构")
    page.goto(f"{base}/staff/login")
    page.fill("input[name=username]", "firm")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")

    page.click("nav >> text=生活圈与评价")
    page.click("text=导入城市生活圈清单")
    shoot(page, "city-01-import")
    axe.extend(f"city-01-import: {v}" for v in axe_violations(page))
    with page.expect_download() as download:
        page.click("text=下载清单模板（Excel）")
    template = (tmp_path / "template.xlsx")
    download.value.save_as(template)
    assert load_workbook(template).sheetnames == ["生活圈清单", "填写说明"]

    rows = [["东湖生活圈", 18000, 2, "东湖社区=10000；湖滨社区=8000", "东湖区", None, None, None, None, None, None],
            ["西岭生活圈", "两万", 2, "西岭社区=20000", None, None, None, None, None, None, None],
            ["南塘生活圈", 9000, 3, None, None, None, None, None, None, None, None]]
    bad = tmp_path / "城市清单.xlsx"
    bad.write_bytes(filled(template.read_bytes(), rows))
    page.set_input_files("input[name=file]", str(bad))
    page.click("button:has-text('检查文件')")
    problems = page.locator(".problem-list tbody tr")
    assert problems.count() == 1
    assert problems.first.inner_text().split("\t")[:2] == ["3", "B"]
    assert "服务人口应为正整数" in problems.first.inner_text()
    shoot(page, "city-02-problems")
    axe.extend(f"city-02-problems: {v}" for v in axe_violations(page))
    assert db.exec(select(Circle)).all() == []

    rows[1][1] = 20000
    bad.write_bytes(filled(template.read_bytes(), rows))
    page.set_input_files("input[name=file]", str(bad))
    page.click("button:has-text('检查文件')")
    assert "3 个生活圈" in page.locator(".ok-note").inner_text()
    shoot(page, "city-03-confirm")
    axe.extend(f"city-03-confirm: {v}" for v in axe_violations(page))
    page.click("button:has-text('确认导入这 3 个生活圈')")

    # Straight on to opening the surveys, the new circles already ticked.
    assert "已导入 3 个生活圈" in page.content()
    assert page.locator("input[name=circles]:checked").count() == 3
    shoot(page, "city-04-open-surveys")
    axe.extend(f"city-04-open-surveys: {v}" for v in axe_violations(page))
    page.click("button:has-text('开启调查')")
    assert "已为 3 个生活圈开启居民问卷调查" in page.content()
    shoot(page, "city-05-batch")
    axe.extend(f"city-05-batch: {v}" for v in axe_violations(page))

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

    circles = db.exec(select(Circle).order_by(Circle.id)).all()
    assert [(c.name, c.population) for c in circles] == [("东湖生活圈", 18000), ("西岭生活圈", 20000), ("南塘生活圈", 9000)]
    assert len(db.exec(select(Campaign)).all()) == 3
    actions = [e.action for e in db.exec(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == ["auth.login", "circle.create", "circle.create", "circle.create", "circle.import",
                       "campaign.open", "campaign.open", "campaign.open"]
    page.goto(f"{base}/staff/campaigns/{circles and db.exec(select(Campaign)).first().id}/schedule")
    shoot(page, "city-06-schedule")
    axe.extend(f"city-06-schedule: {v}" for v in axe_violations(page))
    page.goto(f"{base}/staff/circles/{circles[0].id}/edit")
    shoot(page, "city-07-edit")
    axe.extend(f"city-07-edit: {v}" for v in axe_violations(page))
    page.goto(f"{base}/staff/campaigns")
    shoot(page, "city-08-campaigns")
    page.goto(f"{base}/staff/circles/new")
    page.fill("input[name=name]", "北湖生活圈")
    page.fill("input[name=population]", "一万二")
    page.fill("input[name='communities-0-name']", "北湖社区")
    page.click("button:has-text('登记')")
    field = page.locator(".field.has-error", has=page.locator("input[name=population]"))
    assert "服务人口应为正整数" in field.inner_text()
    assert page.locator(".field.has-error").count() == 2  # the population and the communities
    assert page.locator("input[name=population]").input_value() == "一万二"
    assert "请填写这个社区的人口" in page.locator(".community-rows tr.has-error").inner_text()
    shoot(page, "city-09-new-circle-errors")
    axe.extend(f"city-09-new-circle-errors: {v}" for v in axe_violations(page))
    page.goto(f"{base}/staff/circles")
    shoot(page, "city-10-circles")
    assert not violations, violations
    assert not axe, axe
