"""Locations in Debian's headless Chromium: a merchant answers with 使用当前位置 on a phone
(390×844); the assessor moves the outlet's point on the outlets map at desktop size; the
coverage table changes; the circle's public page shows the outlet.

Set SURVEYAPP_SCREENSHOTS=<folder> to keep a PNG of every step.
"""
from __future__ import annotations

import pytest
from sqlmodel import select

from surveyapp.auth.users import create_user, grant_circle
from surveyapp.geo import GeoPoint
from surveyapp.geo.distance import distance_m, offset
from surveyapp.locations.operations import add_point
from surveyapp.models import Community, Outlet

from .helpers import PROJECT_QUESTIONNAIRES, make_campaign, make_circle
from .test_e2e_resident import CHROMIUM, CHROMIUM_ARGS, html_of, live_server, shoot  # noqa: F401 (fixture)

pytestmark = pytest.mark.e2e

HOME = GeoPoint(39.9, 116.4)
WEST = offset(HOME, 270, 2000)
SHOP = offset(HOME, 0, 300)  # where the merchant stands: 300 m north of 东社区 → 4.5 minutes


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


def coverage_cell(page, community_index: int) -> str:
    return page.locator('#coverage-table tr[data-type="convenience_store"] td').nth(community_index).inner_text()


def test_merchant_locates_assessor_moves_coverage_changes_public_page_shows(app, db, live_server, browser):
    circle = make_circle(db, name="示例生活圈", communities=(("东社区", 3000), ("西社区", 2000)))
    for name, point in (("东社区", HOME), ("西社区", WEST)):
        add_point(db, db.exec(select(Community).where(Community.name == name)).one(), point)
    campaign = make_campaign(db, circle, PROJECT_QUESTIONNAIRES / "merchant.yaml")
    user = create_user(db, "assessor", "secret-pass-1", "assessor", "评价员")
    grant_circle(db, user, circle)

    # 1. The merchant, on a phone in front of the shop.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                has_touch=True, locale="zh-CN", permissions=["geolocation"],
                                geolocation={"latitude": SHOP.lat, "longitude": SHOP.lon, "accuracy": 15})
    page = phone.new_page()
    page.goto(f"{live_server}/s/{campaign.token}/answer")
    page.fill("#q-outlet_name input, #q-outlet_name textarea", "好邻居便利店（幸福路店）")
    page.fill("#q-outlet_address input, #q-outlet_address textarea", "幸福路12号")
    for name, code in (("outlet_type", "convenience_store"), ("is_chain", "no"), ("open_24h", "yes"),
                       ("qr_payment", "yes"), ("public_listing", "yes")):
        page.locator(f"#q-{name} label.option:has(input[value='{code}'])").click()
    page.get_by_role("button", name="使用当前位置").click()
    page.wait_for_function("document.querySelector('#q-outlet_location .geo-status').textContent.indexOf('已定位') >= 0")
    assert "误差约 15 米" in page.locator("#q-outlet_location .geo-status").inner_text()
    page.locator("#q-outlet_location").scroll_into_view_if_needed()
    shoot(page, "loc-1-merchant-located")
    page.locator("button[type=submit]").click()
    page.wait_for_url(f"**/s/{campaign.token}/thanks")
    db.expire_all()
    outlet = db.exec(select(Outlet).where(Outlet.circle_id == circle.id)).one()
    assert distance_m(GeoPoint(outlet.latitude, outlet.longitude), SHOP) < 0.05
    assert outlet.location_accuracy == 15 and outlet.public_listing

    # 2. The assessor sees the coverage, and moves the point to the west community.
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    staff = desk.new_page()
    staff.goto(f"{live_server}/staff/login")
    staff.fill("input[name=username]", "assessor")
    staff.fill("input[name=password]", "secret-pass-1")
    staff.locator("button[type=submit]").click()
    staff.goto(f"{live_server}/staff/circles/{circle.id}/outlets")
    assert "4.5 分钟" in coverage_cell(staff, 1) and "超过 15 分钟" in coverage_cell(staff, 2)
    staff.locator("#map").scroll_into_view_if_needed()
    shoot(staff, "loc-2-outlets-map-before")
    staff.locator(f"button[data-pick-target='loc-{outlet.id}']").click()
    staff.locator("#outlet-map").scroll_into_view_if_needed()
    label = staff.locator(".community-label", has_text="西社区").bounding_box()
    staff.mouse.click(label["x"] - 12, label["y"] + label["height"] / 2)  # on the 西社区 marker, left of its label
    staff.locator(f"#o-{outlet.id} button[value=set]").click()
    staff.wait_for_load_state()
    db.expire_all()
    moved = db.get(Outlet, outlet.id)
    assert moved.location_source == "assessor"
    assert distance_m(GeoPoint(moved.latitude, moved.longitude), WEST) < 150
    assert "超过 15 分钟" in coverage_cell(staff, 1)     # 东社区 is now 2 km away
    assert "超过" not in coverage_cell(staff, 2)          # 西社区 is covered
    staff.locator("#map").scroll_into_view_if_needed()
    shoot(staff, "loc-3-outlets-map-after")

    # 3. The thank-you page links the circle's public page, which lists the shop.
    page.get_by_text("看看身边步行 15 分钟内的店铺和服务").click()
    page.wait_for_url(f"**/c/{circle.id}")
    assert "好邻居便利店（幸福路店）" in html_of(page) and "24小时" in html_of(page)
    assert page.locator("figure.map svg").count() == 1
    shoot(page, "loc-4-public-page")
    phone.close()
    desk.close()
