"""Locations in the app: a merchant's location on the outlet, the assessor setting and moving
points, community points, the coverage table on the outlets page, the demand list's
"有，但离某社区太远", the inventory's coverage column, and the report's coverage section."""
from __future__ import annotations

from fractions import Fraction

import pytest
from sqlmodel import select

from surveyapp.auth.users import create_user, grant_circle
from surveyapp.evaluation.operations import open_evaluation
from surveyapp.evaluation.registry import current_rules
from surveyapp.geo import GeoPoint, wgs84_to_gcj02
from surveyapp.geo.distance import distance_m, offset
from surveyapp.locations.operations import add_point
from surveyapp.models import AuditEntry, Community, CommunityPoint, Outlet

from .conftest import csrf_token
from .helpers import MERCHANT, make_campaign, make_circle
from .helpers import record_merchants as seed
from .test_auth import login

HOME = GeoPoint(39.9, 116.4)          # 东社区's point
WEST = offset(HOME, 270, 2000)        # 西社区's point, 2 km west


@pytest.fixture
def circle(db):
    return make_circle(db)


@pytest.fixture
def campaign(db, circle):
    return make_campaign(db, circle, MERCHANT)


@pytest.fixture
def client_in(client, db, circle):
    user = create_user(db, "assessor", "secret-pass-1", "assessor", "评价员")
    grant_circle(db, user, circle)
    login(client, "assessor", "secret-pass-1")
    return client


def community(db, circle, name):
    return db.exec(select(Community).where(Community.circle_id == circle.id, Community.name == name)).one()


def shop(name, type_code, point=None, **more):
    answers = {"outlet_name": name, "outlet_address": f"{name}路1号", "outlet_type": type_code, "is_chain": "no",
               "open_24h": "no", "qr_payment": "yes", **more}
    if point is not None:
        answers["outlet_location"] = f"{point.lat} {point.lon} 0 9"
    return answers


def test_a_merchant_location_and_consent_reach_the_outlet(db, campaign):
    near = offset(HOME, 0, 300)
    outlets = seed(db, campaign, shop("好邻居", "convenience_store", near, public_listing="yes"),
                   shop("老王修鞋", "repair", public_listing="no"))
    store, repair = outlets["好邻居"], outlets["老王修鞋"]
    assert (store.latitude, store.longitude, store.location_accuracy) == (near.lat, near.lon, 9.0)
    assert store.location_source == "merchant" and store.public_listing is True
    assert not repair.located and repair.location_source == "" and repair.public_listing is False


def test_the_assessor_sets_moves_and_clears_a_point(db, circle, campaign, client_in):
    add_point(db, community(db, circle, "东社区"), HOME)
    outlet = seed(db, campaign, shop("药店甲", "pharmacy"))["药店甲"]
    url = f"/staff/circles/{circle.id}/outlets/{outlet.id}/location"
    page = client_in.get(f"/staff/circles/{circle.id}/outlets").get_data(as_text=True)
    assert "有网点，未定位" in page
    near = offset(HOME, 90, 400)  # 400 m × 1.2 / 80 = 6 minutes
    response = client_in.post(url, data={"csrf_token": csrf_token(page), "value": "set",
                                         "location": f"{near.lat} {near.lon}", "datum": "wgs84"})
    assert response.status_code == 302
    db.expire_all()
    moved = db.get(Outlet, outlet.id)
    assert (moved.latitude, moved.longitude, moved.location_source) == (near.lat, near.lon, "assessor")
    page = client_in.get(f"/staff/circles/{circle.id}/outlets").get_data(as_text=True)
    assert "6.0 分钟" in page
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "outlet.locate")).one()
    assert entry.before["latitude"] is None and entry.after["latitude"] == near.lat and "设置了" in entry.summary

    # Moving it 1.5 km away on a GCJ-02 map: the server stores the WGS-84 point; the table changes.
    far = offset(HOME, 90, 1500)
    shown = wgs84_to_gcj02(far.lat, far.lon)
    client_in.post(url, data={"csrf_token": csrf_token(page), "value": "set",
                              "location": f"{shown[0]:.7f} {shown[1]:.7f}", "datum": "gcj02"})
    db.expire_all()
    moved = db.get(Outlet, outlet.id)
    assert distance_m(GeoPoint(moved.latitude, moved.longitude), far) < 0.05
    page = client_in.get(f"/staff/circles/{circle.id}/outlets").get_data(as_text=True)
    assert "22.5 分钟" in page and "超过 15 分钟" in page  # 1500 × 1.2 / 80

    # Bad coordinates: a Chinese message, nothing changed.
    response = client_in.post(url, data={"csrf_token": csrf_token(page), "value": "set", "location": "北京"},
                              follow_redirects=True)
    assert "位置没有保存" in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(Outlet, outlet.id).latitude == moved.latitude
    client_in.post(url, data={"csrf_token": csrf_token(page), "value": "clear"})
    db.expire_all()
    assert not db.get(Outlet, outlet.id).located


def test_community_points_page_adds_refuses_and_deletes(db, circle, client_in):
    url = f"/staff/circles/{circle.id}/places"
    page = client_in.get(url).get_data(as_text=True)
    east = community(db, circle, "东社区")
    response = client_in.post(url, data={"csrf_token": csrf_token(page), "community": str(east.id),
                                         "label": "3号院", "location": "39.9 116.4abc", "datum": "wgs84"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "纬度 经度" in body and "39.9 116.4abc" in body and "3号院" in body  # message, input kept
    shown = wgs84_to_gcj02(39.9, 116.4)
    response = client_in.post(url, data={"csrf_token": csrf_token(page), "community": str(east.id),
                                         "label": "3号院", "location": f"{shown[0]} {shown[1]}", "datum": "gcj02"})
    assert response.status_code == 302
    [point] = db.exec(select(CommunityPoint)).all()
    assert point.label == "3号院" and distance_m(GeoPoint(point.latitude, point.longitude), HOME) < 0.05
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "community_point.add")).one().circle_id == circle.id
    assert "3号院" in client_in.get(url).get_data(as_text=True)
    response = client_in.post(f"{url}/{point.id}/delete", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302 and db.exec(select(CommunityPoint)).all() == []
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "community_point.delete")).one()


def test_another_circles_point_is_a_404(db, circle, client_in):
    other = make_circle(db, name="他圈", communities=(("北社区", 100),))
    point = add_point(db, community(db, other, "北社区"), HOME)
    page = client_in.get(f"/staff/circles/{circle.id}/places").get_data(as_text=True)
    response = client_in.post(f"/staff/circles/{circle.id}/places/{point.id}/delete", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 404
    assert db.get(CommunityPoint, point.id) is not None


def _coverage_world(db, circle, campaign):
    add_point(db, community(db, circle, "东社区"), HOME)
    add_point(db, community(db, circle, "西社区"), WEST)
    return seed(db, campaign,
                shop("东菜市场", "wet_market", offset(HOME, 0, 200)),         # 3 min from 东, 2 km+ from 西
                shop("东药店", "pharmacy", offset(HOME, 0, 100)),
                shop("西药店", "pharmacy", offset(WEST, 0, 100)),
                shop("关门药店", "pharmacy", offset(HOME, 0, 10)))


def test_demand_list_marks_types_present_but_too_far(app, db, circle, campaign):
    from surveyapp.community.queries import walk_coverage
    from surveyapp.locations.queries import far_reading

    _coverage_world(db, circle, campaign)
    with app.test_request_context():
        document = walk_coverage(db, circle.id, ["wet_market", "pharmacy"])
    assert far_reading(document, "wet_market").startswith("有，但离西社区（")
    assert "太远（超过 15 分钟）" in far_reading(document, "wet_market")
    assert far_reading(document, "pharmacy") is None  # each community has its own pharmacy
    row = next(r for r in document["rows"] if r["type_code"] == "wet_market")
    assert row["covered"] == 1 and row["assessed"] == 2 and row["share"] == 0.5


def test_closed_outlet_is_ignored_on_the_page(db, circle, campaign, client_in):
    from surveyapp.merchants.operations import set_status

    outlets = _coverage_world(db, circle, campaign)
    set_status(db, outlets["关门药店"], "closed")
    page = client_in.get(f"/staff/circles/{circle.id}/outlets").get_data(as_text=True)
    start = page.index('id="coverage-table"')
    table = page[start:page.index("</table>", start)]
    assert "东药店" in table and "关门药店" not in table


def test_inventory_shows_coverage_and_a_rules_file_may_withhold_presence(app, db, circle, campaign, client_in,
                                                                        tmp_path):
    _coverage_world(db, circle, campaign)
    with app.app_context():
        rules = current_rules("national")
    evaluation = open_evaluation(db, circle, rules, None)
    page = client_in.get(f"/staff/evaluations/{evaluation.id}/inventory").get_data(as_text=True)
    assert "1/2 个社区" in page and "离西社区太远" in page
    assert "覆盖率低于规则要求" not in page

    from surveyapp.locations.inventory import with_walk_coverage
    from surveyapp.locations.queries import circle_coverage

    with app.test_request_context():
        found = circle_coverage(db, circle.id, evaluation=evaluation)
    strict = dict(found, settings=found["settings"].__class__(**{**found["settings"].__dict__,
                                                                 "presence_min_share": Fraction(1)}))
    rows = [{"code": "wet_market", "required": True, "suggested": 1, "present": True, "outlets": 1,
             "evidence": "网点清单：1 家", "source": None},
            {"code": "pharmacy", "required": True, "suggested": 2, "present": True, "outlets": 2,
             "evidence": "网点清单：2 家", "source": None}]
    market, pharmacy = with_walk_coverage([dict(r) for r in rows], strict)
    assert market["walk_blocked"] and market["present"] is False  # 1/2 < 100%: not suggested
    assert not pharmacy["walk_blocked"] and pharmacy["present"] is True
    unchanged = with_walk_coverage([dict(r) for r in rows], found)  # national rules: information only
    assert all(not r["walk_blocked"] and r["present"] for r in unchanged)


def test_report_data_carry_coverage_only_with_points(app, db, circle, campaign):
    from reports.rendering import render_html
    from reports.walk_coverage import coverage_context
    from surveyapp.locations.queries import circle_coverage, coverage_document

    seed(db, campaign, shop("东药店", "pharmacy", offset(HOME, 0, 100)))
    with app.test_request_context():
        assert circle_coverage(db, circle.id)["has_points"] is False
    _coverage_world(db, circle, campaign)
    with app.test_request_context():
        document = coverage_document(circle_coverage(db, circle.id))
    context = coverage_context(document)
    html = render_html("_walk_coverage.html", {"walk_coverage": context})
    assert "一刻钟步行覆盖" in html and "有，但离某社区太远" in html and "菜市场" in html
    assert html.count("<svg") == 1 and "北" in html and "公里" in html or "米" in html


def test_merging_a_repeat_answer_without_a_location_keeps_the_point(db, campaign):
    from surveyapp.merchants.operations import merge

    near = offset(HOME, 0, 300)
    seed(db, campaign, shop("好邻居", "convenience_store", near, public_listing="yes"))
    seed(db, campaign, shop("好邻居", "convenience_store", public_listing="no"))
    first, again = db.exec(select(Outlet).order_by(Outlet.id)).all()
    assert again.possible_duplicate_of == first.id and not again.located
    kept = merge(db, again, first, use_newer=True)
    assert (kept.latitude, kept.longitude, kept.location_source) == (near.lat, near.lon, "merchant")
    assert kept.public_listing is False  # the newer answer's consent stands
