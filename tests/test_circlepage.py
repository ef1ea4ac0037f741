"""The circle's public page (/c/<id>): only consenting open outlets, by type with hours and
services; no personal data; 404 for an unknown circle; small on a phone; the poster."""
from __future__ import annotations

import gzip

from sqlmodel import select

from surveyapp.geo import GeoPoint
from surveyapp.geo.distance import offset
from surveyapp.locations.operations import add_point
from surveyapp.merchants.operations import set_status
from surveyapp.models import Community, Outlet

from .helpers import MERCHANT, make_campaign, make_circle
from .helpers import record_merchants as seed

HOME = GeoPoint(39.9, 116.4)
SECRETS = ("房租太贵了，我叫张三，电话13800138000", "张三", "13800138000")


def merchant(name, type_code, consent, point=None, **more):
    answers = {"outlet_name": name, "outlet_address": f"幸福路{len(name)}号", "outlet_type": type_code,
               "is_chain": "no", "open_24h": "no", "opening_hour": 7, "closing_hour": 21, "qr_payment": "yes",
               "floor_area": 87654, "difficulties": ["rent"], "support_wanted": ["rent_support"],
               "suggestion": SECRETS[0], **more}
    if consent is not None:
        answers["public_listing"] = "yes" if consent else "no"
    if point is not None:
        answers["outlet_location"] = f"{point.lat} {point.lon} 0 10"
    return answers


def page_text(client, circle_id):
    response = client.get(f"/c/{circle_id}")
    assert response.status_code == 200 and response.headers.get("Content-Encoding") is None
    return response.get_data(as_text=True)


def test_unknown_circle_is_a_404(client):
    assert client.get("/c/4242").status_code == 404


def test_only_consenting_open_outlets_appear(client, db):
    circle = make_circle(db)
    campaign = make_campaign(db, circle, MERCHANT)
    east = db.exec(select(Community).where(Community.name == "东社区")).one()
    add_point(db, east, HOME)
    seed(db, campaign,
         merchant("同意便利店", "convenience_store", True, offset(HOME, 0, 200), open_24h="yes",
                  addon_services=["parcel", "top_up"], delivery=["home_delivery"]),
         merchant("修鞋铺", "repair", True, repair_categories=["shoes", "keys"]),
         merchant("不同意早餐", "breakfast", False, offset(HOME, 90, 100)),
         merchant("没回答的药店", "pharmacy", None),
         merchant("关门的洗衣店", "laundry", True))
    set_status(db, db.exec(select(Outlet).where(Outlet.name == "关门的洗衣店")).one(), "closed")
    html = page_text(client, circle.id)
    assert "同意便利店" in html and "修鞋铺" in html
    for hidden in ("不同意早餐", "没回答的药店", "关门的洗衣店"):
        assert hidden not in html
    assert "24小时" in html and "快递代收代寄" in html and "送货上门" in html
    assert "维修：修鞋、配钥匙" in html and "营业时间 7:00–21:00" in html
    assert html.count("<svg") == 1 and "网点分布" in html and "北" in html


def test_no_personal_data_or_business_internals(client, db):
    circle = make_circle(db)
    campaign = make_campaign(db, circle, MERCHANT)
    seed(db, campaign, merchant("同意便利店", "convenience_store", True, offset(HOME, 0, 200), brand="好邻居"))
    html = page_text(client, circle.id)
    for secret in SECRETS:
        assert secret not in html  # the merchant's free text never reaches the page
    for internal in ("87654", "房租高", "房租减免", "扫码", "staff", "response", "诚信"):
        assert internal not in html
    assert "csrf" not in html.lower() and "<script" not in html.lower()


def test_small_on_a_phone_even_for_a_large_circle(client, db):
    """225 outlets (a large real circle), all listed: the page and its stylesheet stay under
    50 KB as sent (gzip, as every phone browser accepts); no script, no other file, no tiles."""
    circle = make_circle(db)
    campaign = make_campaign(db, circle, MERCHANT)
    add_point(db, db.exec(select(Community).where(Community.name == "东社区")).one(), HOME)
    types = ["convenience_store", "breakfast", "canteen_dining", "hair_beauty", "pharmacy", "fresh_grocery",
             "repair", "laundry", "coffee_tea"]
    seed(db, campaign, *[merchant(f"第{i}号门店（幸福路店）", types[i % len(types)], True,
                                  offset(HOME, (i * 47) % 360, 100 + (i * 37) % 900),
                                  addon_services=["parcel", "top_up", "print_copy", "hot_food"] if i % 9 == 0 else None,
                                  delivery=["home_delivery", "instant_retail"])
                         for i in range(225)])
    response = client.get(f"/c/{circle.id}", headers={"Accept-Encoding": "gzip, deflate"})
    assert response.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in response.headers["Vary"]
    sent = response.get_data()
    html = gzip.decompress(sent).decode("utf-8")
    assert html.count("<li>") == 225
    css = client.get("/static/circlepage.css")
    css_bytes = css.get_data()
    css.close()
    assert len(sent) + len(css_bytes) < 50 * 1024
    assert "<script" not in html and "leaflet" not in html.lower()
    assert html.count('rel="stylesheet"') == 1


def test_thanks_page_links_the_public_page(client, db):
    circle = make_circle(db)
    campaign = make_campaign(db, circle, MERCHANT)
    html = client.get(f"/s/{campaign.token}/thanks").get_data(as_text=True)
    assert f'href="/c/{circle.id}"' in html


def test_public_page_poster_is_one_page_with_the_address(client, db):
    import io

    import pdfplumber

    from surveyapp.auth.users import create_user, grant_circle

    from .test_auth import login

    circle = make_circle(db)
    user = create_user(db, "assessor", "secret-pass-1", "assessor", "评价员")
    grant_circle(db, user, circle)
    login(client, "assessor", "secret-pass-1")
    response = client.get(f"/staff/circles/{circle.id}/outlets/public-poster.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    with pdfplumber.open(io.BytesIO(response.get_data())) as pdf:
        assert len(pdf.pages) == 1
        text = pdf.pages[0].extract_text()
    assert "便民地图" in text and f"http://survey.test/c/{circle.id}" in text.replace("\n", "")
    again = client.get(f"/staff/circles/{circle.id}/outlets/public-poster.pdf").get_data()
    assert again == response.get_data()
