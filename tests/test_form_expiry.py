"""A staff form sent after its CSRF token ran out (surveyapp/web/expiry.py) comes back with what
was typed and a request to send it again, writes nothing, and goes through when sent again; a
post refused for another reason, or to a button that asks nothing, keeps the 400 page."""
from __future__ import annotations

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import flask_wtf.csrf
import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlmodel import func, select

from surveyapp.auth.users import create_user
from surveyapp.models import AuditEntry, Campaign, Circle, User
from surveyapp.web.expiry import EXPIRED_MESSAGE

from .conftest import csrf_token
from .helpers import PROJECT_QUESTIONNAIRES, make_campaign, make_circle

FIVE_HOURS = 5 * 3600  # the token lives four


@pytest.fixture
def admin(app, db):
    create_user(db, "boss", "boss-pass-12", "admin", "管理员")
    client = app.test_client()
    token = csrf_token(client.get("/staff/login").get_data(as_text=True))
    assert client.post("/staff/login", data={"csrf_token": token, "username": "boss",
                                              "password": "boss-pass-12"}).status_code == 302
    return client


class FiveHoursAgo(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(time.time()) - FIVE_HOURS


class PastSerializer(URLSafeTimedSerializer):
    default_signer = FiveHoursAgo


def stale_token(client, page: str, monkeypatch) -> str:
    """The token of ``page`` as it was rendered five hours ago (the session is as fresh as ever)."""
    with monkeypatch.context() as patch:
        patch.setattr(flask_wtf.csrf, "URLSafeTimedSerializer", PastSerializer)
        return csrf_token(client.get(page).get_data(as_text=True))


def entries(db) -> int:
    db.expire_all()
    return db.exec(select(func.count()).select_from(AuditEntry)).one()


def day(offset: int) -> str:
    return (datetime.now(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=offset)).isoformat()


@pytest.fixture
def world(db):
    circle = make_circle(db, name="东城生活圈")
    campaign = make_campaign(db, circle, PROJECT_QUESTIONNAIRES / "resident.yaml")
    officer = create_user(db, "wang", "wang-pass-12", "officer", "王社区")
    return {"circle": circle.id, "campaign": campaign.id, "user": officer.id}


#: (page holding the form, where it posts, what is typed, what the refilled page shows, what the
#: stored change is once sent again).
CASES = {
    "circles.new": ("/staff/circles/new", "/staff/circles/new",
                    {"name": "北湖生活圈", "population": "12000", "city_tier": "3",
                     "communities-0-name": "北湖社区", "communities-0-population": "12000"},
                    ['value="北湖生活圈"', 'value="北湖社区"'],
                    lambda db, w: db.exec(select(Circle.name).where(Circle.name == "北湖生活圈")).one()),
    "circles.edit": ("/staff/circles/{circle}/edit", "/staff/circles/{circle}/edit",
                     {"name": "东城新区生活圈", "population": "20500", "city_tier": "2",
                      "communities-0-name": "东社区", "communities-0-population": "12000"},
                     ['value="东城新区生活圈"', 'value="20500"'],
                     lambda db, w: db.get(Circle, w["circle"]).population == 20500),
    "accounts.new": ("/staff/accounts/new", "/staff/accounts/new",
                     {"username": "li", "display_name": "李评估", "role": "assessor", "password": "first-pass-12"},
                     ['value="li"', 'value="李评估"', 'value="first-pass-12"', '<option selected value="assessor">'],
                     lambda db, w: db.exec(select(User).where(User.username == "li")).one().must_change_password),
    "accounts.edit": ("/staff/accounts/{user}", "/staff/accounts/{user}/edit",
                      {"display_name": "王社区（新）", "role": "officer"},
                      ['value="王社区（新）"'],
                      lambda db, w: db.get(User, w["user"]).display_name == "王社区（新）"),
    "accounts.password": ("/staff/accounts/{user}", "/staff/accounts/{user}/password",
                          {"password": "typed-by-hand-9"},
                          ['value="typed-by-hand-9"'],
                          lambda db, w: db.get(User, w["user"]).must_change_password),
    "accounts.circles": ("/staff/accounts/{user}", "/staff/accounts/{user}/circles",
                         {"sent": "1", "circles": "{circle}"},
                         ['checked id="circles-0" name="circles" type="checkbox" value="{circle}"'],
                         lambda db, w: entries_of(db, "account.circles") == 1),
    "campaigns.new": ("/staff/campaigns/new", "/staff/campaigns/new",
                      {"questionnaire": "merchant", "circles": "{circle}", "opens_on": day(0), "closes_on": day(45),
                       "answers_per_device": ""},
                      [f'value="{day(45)}"', '<option selected value="merchant">'],
                      lambda db, w: db.exec(select(Campaign).where(Campaign.kind == "merchant")).one()),
    "campaigns.schedule": ("/staff/campaigns/{campaign}/schedule", "/staff/campaigns/{campaign}/schedule",
                           {"opens_on": day(-1), "closes_on": day(60)},
                           [f'value="{day(60)}"'],
                           lambda db, w: entries_of(db, "campaign.dates") == 1),
}


def entries_of(db, action: str) -> int:
    db.expire_all()
    return db.exec(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)).one()


def fill(value: str, ids: dict) -> str:
    return value.format(**ids)


@pytest.mark.parametrize("endpoint", CASES)
def test_an_expired_form_comes_back_filled_in_and_goes_through_when_sent_again(app, db, admin, world, endpoint,
                                                                              monkeypatch):
    page, target, typed, shown, stored = CASES[endpoint]
    page, target = fill(page, world), fill(target, world)
    typed = {name: fill(value, world) for name, value in typed.items()}
    before = entries(db)

    response = admin.post(target, data={"csrf_token": stale_token(admin, page, monkeypatch), **typed})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert EXPIRED_MESSAGE in html
    for text in shown:
        assert fill(text, world) in html
    assert "处需要修改" not in html and "有需要修改的地方" not in html  # nothing is marked wrong
    assert "The CSRF token" not in html
    assert entries(db) == before  # nothing was written

    again = admin.post(target, data={"csrf_token": csrf_token(html), **typed})
    assert again.status_code == 302
    assert stored(db, world)


def test_the_own_password_form_asks_again_and_changes_nothing(app, db, admin, monkeypatch):
    stale = stale_token(admin, "/staff/password", monkeypatch)
    response = admin.post("/staff/password", data={"csrf_token": stale, "current_password": "boss-pass-12",
                                                   "new_password": "new-boss-pass-1", "confirm": "new-boss-pass-1"})
    assert response.status_code == 400 and EXPIRED_MESSAGE in response.get_data(as_text=True)
    assert entries_of(db, "account.own_password") == 0


def test_a_button_without_typed_values_keeps_the_error_page(app, db, admin, world, monkeypatch):
    stale = stale_token(admin, f"/staff/accounts/{world['user']}", monkeypatch)
    response = admin.post(f"/staff/accounts/{world['user']}/state", data={"csrf_token": stale, "active": "0"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "页面已过期或来源不明" in html and EXPIRED_MESSAGE not in html
    db.expire_all()
    assert db.get(User, world["user"]).active


def test_a_good_token_refused_for_its_referrer_gets_no_second_try(app, db, admin, world):
    """Over HTTPS a post needs a same-site Referer; its token is fine, so running the view
    again would store the change: it keeps the 400 page."""
    token = csrf_token(admin.get("/staff/circles/new").get_data(as_text=True))
    response = admin.post("/staff/circles/new", base_url="https://localhost",
                          data={"csrf_token": token, "name": "北湖生活圈", "population": "12000", "city_tier": "3"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "页面已过期或来源不明" in html and EXPIRED_MESSAGE not in html
    assert db.exec(select(Circle).where(Circle.name == "北湖生活圈")).first() is None
