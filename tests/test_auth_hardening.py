"""Sessions end when they should (issue 10, item 3) and sign-in throttling works per account
as well as per address without letting an attacker lock a real user out for long (item 4)."""
from __future__ import annotations

import time

import pytest
from sqlmodel import select

from surveyapp.auth.users import create_user, grant_circle
from surveyapp.models import AuditEntry, User

from .conftest import csrf_token
from .helpers import APP_QUESTIONNAIRES, make_campaign, make_circle

pytestmark = pytest.mark.usefixtures("app_questionnaires")


def login(client, username, password, address="10.0.0.1"):
    """Sign in from ``address`` (the client keeps it: sessions are tied to their address)."""
    client.environ_base["REMOTE_ADDR"] = address
    token = csrf_token(client.get("/staff/login").get_data(as_text=True))
    return client.post("/staff/login", data={"csrf_token": token, "username": username, "password": password})


def copy_of(app, client):
    """Another browser holding the session cookie ``client`` has now (a saved cookie)."""
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = client.environ_base["REMOTE_ADDR"]
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def token_of(client) -> str:
    return csrf_token(client.get("/staff/password").get_data(as_text=True))


@pytest.fixture
def campaign(db):
    circle = make_circle(db)
    return make_campaign(db, circle, APP_QUESTIONNAIRES / "mini.yaml")


# --- item 3: every earlier session ends ---------------------------------------------------------

def test_a_saved_cookie_no_longer_opens_pages_or_the_api_after_sign_out(app, client, db, campaign):
    from surveyapp.models import Circle

    grant_circle(db, create_user(db, "zhang", "correct-horse", "assessor"), db.get(Circle, campaign.circle_id))
    login(client, "zhang", "correct-horse")
    saved = copy_of(app, client)
    assert saved.get("/staff/campaigns").status_code == 200
    assert saved.get(f"/api/v1/campaigns/{campaign.id}/summary").status_code == 200
    client.post("/staff/logout", data={"csrf_token": token_of(client)})
    assert saved.get("/staff/campaigns").status_code == 302
    assert saved.get(f"/api/v1/campaigns/{campaign.id}/summary").status_code == 401


def test_changing_ones_password_ends_other_sessions_and_keeps_this_one(app, client, db):
    create_user(db, "zhang", "correct-horse", "assessor")
    login(client, "zhang", "correct-horse")
    elsewhere = app.test_client()
    login(elsewhere, "zhang", "correct-horse", address="10.0.0.2")
    response = client.post("/staff/password", data={"csrf_token": token_of(client), "current_password": "correct-horse",
                                                     "new_password": "battery-staple", "confirm": "battery-staple"})
    assert response.status_code == 302
    assert client.get("/staff/campaigns").status_code == 200
    assert elsewhere.get("/staff/campaigns").status_code == 302
    assert login(app.test_client(), "zhang", "correct-horse").status_code == 200
    assert login(app.test_client(), "zhang", "battery-staple").status_code == 302


def test_own_password_change_needs_the_current_password(client, db):
    create_user(db, "zhang", "correct-horse", "assessor")
    login(client, "zhang", "correct-horse")
    page = client.post("/staff/password", data={"csrf_token": token_of(client), "current_password": "guess-1234",
                                                "new_password": "battery-staple", "confirm": "battery-staple"})
    assert page.status_code == 200 and "当前密码不正确" in page.get_data(as_text=True)
    short = client.post("/staff/password", data={"csrf_token": token_of(client), "current_password": "correct-horse",
                                                 "new_password": "short", "confirm": "short"})
    assert "至少 8 位" in short.get_data(as_text=True)
    db.expire_all()
    assert db.exec(select(User)).one().session_version == 0


@pytest.mark.parametrize("change", ["role", "disable", "one_time_password"])
def test_admin_changes_end_the_users_sessions(app, db, change):
    from surveyapp.accounts import operations

    create_user(db, "boss", "boss-pass-1", "admin")
    user = create_user(db, "zhang", "correct-horse", "assessor")
    client = app.test_client()
    login(client, "zhang", "correct-horse")
    assert client.get("/staff/campaigns").status_code == 200
    user = db.get(User, user.id)
    if change == "role":
        operations.update_account(db, user, role="officer")
    elif change == "disable":
        operations.set_active(db, user, False)
    else:
        operations.set_one_time_password(db, user, "temporary-1")
    db.commit()
    assert client.get("/staff/campaigns").status_code == 302


def test_sessions_from_before_versions_are_treated_as_signed_out(app, db):
    user = create_user(db, "zhang", "correct-horse", "assessor")
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)  # what a cookie signed before this change holds
        session["_fresh"] = True
    assert client.get("/staff/campaigns").status_code == 302


# --- item 4: throttling -------------------------------------------------------------------------

@pytest.fixture
def counted_checks(monkeypatch):
    """How many password hashes are checked and made."""
    from surveyapp.auth import users

    calls = {"check": 0, "make": 0}
    real_check, real_make = users.check_password_hash, users.generate_password_hash

    def check(*args):
        calls["check"] += 1
        return real_check(*args)

    def make(*args, **kwargs):
        calls["make"] += 1
        return real_make(*args, **kwargs)

    monkeypatch.setattr(users, "check_password_hash", check)
    monkeypatch.setattr(users, "generate_password_hash", make)
    users._dummy_hash()  # made once per process, before anyone is timed
    return calls


def test_an_unknown_username_costs_what_a_wrong_password_costs(client, db, counted_checks):
    create_user(db, "zhang", "correct-horse", "assessor")
    counted_checks.update(check=0, make=0)
    login(client, "zhang", "wrong-password")
    wrong = dict(counted_checks)
    counted_checks.update(check=0, make=0)
    login(client, "nobody-at-all", "wrong-password")
    assert counted_checks == wrong == {"check": 1, "make": 0}


def test_thirty_wrong_passwords_from_changing_addresses_are_mostly_not_checked(make_app, db, counted_checks):
    app = make_app(LOGIN_LOCK_FIRST_SECONDS=60)
    create_user(db, "admin", "real-admin-pass", "admin")
    client = app.test_client()
    counted_checks.update(check=0, make=0)
    pages = [login(client, "admin", f"guess-{i}", address=f"203.0.113.{i}").get_data(as_text=True) for i in range(30)]
    assert counted_checks["check"] == 6  # five free failures, the sixth locks the account
    assert all("用户名或密码不正确" in page for page in pages)
    assert all("这个账户的错误次数过多" in page and "后再试" in page for page in pages[5:])
    assert not any("后再试" in page for page in pages[:5])
    # While locked even the right password is not accepted (nor checked).
    assert login(client, "admin", "real-admin-pass", address="198.51.100.7").status_code == 200
    assert counted_checks["check"] == 6
    entries = db.exec(select(AuditEntry).where(AuditEntry.action == "auth.login_failed")).all()
    assert len(entries) == 31 and entries[-1].after["locked_seconds"] > 0


def test_the_lock_is_short_doubles_and_a_success_clears_it(make_app, db):
    from surveyapp.auth import throttle

    app = make_app(LOGIN_LOCK_FIRST_SECONDS=1, LOGIN_LOCK_LONGEST_SECONDS=2, LOGIN_FREE_FAILURES=2)
    with app.app_context():
        assert [throttle.lock_length(n) for n in range(1, 7)] == [0, 0, 1, 2, 2, 2]
    with make_app().app_context():
        assert [throttle.lock_length(n) for n in (5, 6, 7, 8, 9, 10, 20)] == [0, 30, 60, 120, 240, 480, 900]
    create_user(db, "zhang", "correct-horse", "assessor")
    client = app.test_client()
    for i in range(3):
        login(client, "zhang", f"wrong-{i}")
    assert "请 1 秒后再试" in login(client, "zhang", "correct-horse").get_data(as_text=True)
    time.sleep(1.1)
    assert login(client, "zhang", "correct-horse").status_code == 302  # the real user is back in
    client.post("/staff/logout", data={"csrf_token": token_of(client)})
    assert login(client, "zhang", "wrong-again").status_code == 200
    assert "后再试" not in login(client, "zhang", "wrong-again").get_data(as_text=True)  # count restarted


def test_an_office_behind_one_address_is_not_locked_out_by_one_colleague(make_app, db):
    app = make_app(LOGIN_RATE_LIMIT="10 per minute")
    create_user(db, "zhang", "correct-horse", "assessor")
    create_user(db, "li", "li-password", "assessor")
    for _ in range(9):
        login(app.test_client(), "zhang", "wrong-password")
    for _ in range(5):  # successes do not count against the address
        assert login(app.test_client(), "li", "li-password").status_code == 302
    assert login(app.test_client(), "zhang", "wrong-password").status_code == 200
    assert login(app.test_client(), "li", "li-password").status_code == 429  # the address limit still holds


def test_one_time_password_must_be_changed_before_anything_else(app, client, db, campaign):
    from surveyapp.accounts import operations

    user = create_user(db, "zhang", "correct-horse", "assessor")
    from surveyapp.models import Circle

    grant_circle(db, user, db.get(Circle, campaign.circle_id))
    operations.set_one_time_password(db, db.get(User, user.id), "one-time-pass")
    db.commit()
    response = login(client, "zhang", "one-time-pass")
    assert response.headers["Location"] == "/staff/password"
    assert client.get("/staff/campaigns").headers["Location"] == "/staff/password"
    assert client.get(f"/api/v1/campaigns/{campaign.id}/summary").status_code == 403
    client.post("/staff/password", data={"csrf_token": token_of(client), "current_password": "one-time-pass",
                                         "new_password": "my-own-password", "confirm": "my-own-password"})
    assert client.get("/staff/campaigns").status_code == 200
    db.expire_all()
    assert db.get(User, user.id).must_change_password is False
