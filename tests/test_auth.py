"""Staff sign-in: pages need it, passwords are hashed, attempts are throttled, and each
user sees only the circles they were given."""
from __future__ import annotations

import pytest

from surveyapp.auth.users import create_user, grant_circle
from surveyapp.models import User

from .conftest import csrf_token
from .helpers import APP_QUESTIONNAIRES, make_campaign, make_circle


pytestmark = pytest.mark.usefixtures("app_questionnaires")


def login(client, username, password):
    token = csrf_token(client.get("/staff/login").get_data(as_text=True))
    return client.post("/staff/login", data={"csrf_token": token, "username": username, "password": password})


@pytest.mark.parametrize("path", ["/staff/", "/staff/campaigns", "/staff/campaigns/1/qr.svg"])
def test_staff_pages_require_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/staff/login" in response.headers["Location"]


def test_outside_the_test_suite_passwords_are_hashed_with_scrypt():
    """The suite hashes with one PBKDF2 round (tests/conftest.py); a process of its own, as in
    production, makes scrypt hashes."""
    import subprocess
    import sys

    made = subprocess.run([sys.executable, "-c", "from surveyapp.auth.users import hash_password; "
                           "print(hash_password('correct-horse'))"], capture_output=True, text=True, check=True)
    assert made.stdout.startswith("scrypt:")


def test_password_is_hashed_and_sign_in_works(client, db):
    user = create_user(db, "zhang", "correct-horse", "assessor", "张评估")
    assert "correct-horse" not in user.password_hash and user.password_hash.startswith(("scrypt:", "pbkdf2:"))
    response = login(client, "zhang", "correct-horse")
    assert response.status_code == 302
    page = client.get("/staff/campaigns").get_data(as_text=True)
    assert "张评估" in page


def test_wrong_password_is_refused_in_chinese(client, db):
    create_user(db, "zhang", "correct-horse", "assessor")
    response = login(client, "zhang", "wrong-password")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.get_data(as_text=True)
    assert client.get("/staff/campaigns").status_code == 302


def test_login_is_throttled(make_app, db):
    client = make_app(LOGIN_RATE_LIMIT="3 per minute").test_client()
    create_user(db, "zhang", "correct-horse", "assessor")
    codes = [login(client, "zhang", "wrong-password").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_open_redirect_is_refused(client, db):
    create_user(db, "zhang", "correct-horse", "assessor")
    token = csrf_token(client.get("/staff/login").get_data(as_text=True))
    response = client.post("/staff/login?next=https://evil.example/", data={
        "csrf_token": token, "username": "zhang", "password": "correct-horse"})
    assert response.headers["Location"] == "/staff/"  # the city overview, the assessor's home


def test_logout_needs_post_and_signs_out(client, db):
    create_user(db, "zhang", "correct-horse", "assessor")
    login(client, "zhang", "correct-horse")
    page = client.get("/staff/campaigns").get_data(as_text=True)
    client.post("/staff/logout", data={"csrf_token": csrf_token(page)})
    assert client.get("/staff/campaigns").status_code == 302


def test_campaigns_page_lists_only_visible_circles_with_counts(client, db):
    mine = make_circle(db, name="我的生活圈")
    theirs = make_circle(db, name="别人的生活圈")
    my_campaign = make_campaign(db, mine, APP_QUESTIONNAIRES / "mini.yaml")
    their_campaign = make_campaign(db, theirs, APP_QUESTIONNAIRES / "mini.yaml")
    user = create_user(db, "li", "correct-horse", "assessor")
    grant_circle(db, user, mine)
    login(client, "li", "correct-horse")
    html = client.get("/staff/campaigns").get_data(as_text=True)
    assert "我的生活圈" in html and "别人的生活圈" not in html
    assert my_campaign.token in html and their_campaign.token not in html
    assert client.get(f"/staff/campaigns/{my_campaign.id}/qr.svg").status_code == 200
    assert client.get(f"/staff/campaigns/{their_campaign.id}/qr.svg").status_code == 404
    assert client.get(f"/staff/campaigns/{their_campaign.id}/qr.png").status_code == 404


def test_admin_sees_every_circle_and_downloads_qr(client, db):
    circle = make_circle(db, name="任意生活圈")
    campaign = make_campaign(db, circle, APP_QUESTIONNAIRES / "mini.yaml")
    create_user(db, "root", "correct-horse", "admin")
    login(client, "root", "correct-horse")
    assert "任意生活圈" in client.get("/staff/campaigns").get_data(as_text=True)
    png = client.get(f"/staff/campaigns/{campaign.id}/qr.png")
    assert png.status_code == 200 and png.data[:8] == b"\x89PNG\r\n\x1a\n"
    svg = client.get(f"/staff/campaigns/{campaign.id}/qr.svg")
    assert b"<svg" in svg.data


def test_user_cli_creates_account_and_rejects_duplicates(runner, db):
    result = runner.invoke(args=["user", "create", "--username", "wang", "--role", "officer",
                                 "--password", "long-enough-pw"])
    assert result.exit_code == 0, result.output
    db.expire_all()
    from sqlmodel import select
    user = db.exec(select(User).where(User.username == "wang")).one()
    assert user.role == "officer"
    again = runner.invoke(args=["user", "create", "--username", "wang", "--role", "officer",
                                "--password", "long-enough-pw"])
    assert again.exit_code != 0 and "已存在" in again.output


def test_user_cli_refuses_short_password(runner):
    result = runner.invoke(args=["user", "create", "--username", "wang", "--role", "admin", "--password", "short"])
    assert result.exit_code != 0 and "至少" in result.output


def test_officers_see_aggregates_only(client, db):
    """Individual responses, evaluations and reports are for assessors; an officer of the
    same circle lands on the community lists and gets 404 elsewhere."""
    circle = make_circle(db, name="社区的生活圈")
    campaign = make_campaign(db, circle, APP_QUESTIONNAIRES / "mini.yaml")
    officer = create_user(db, "officer1", "long-password", "officer")
    grant_circle(db, officer, circle)
    response = login(client, "officer1", "long-password")
    assert response.headers["Location"] == "/community/"
    for url in ["/staff/campaigns", f"/staff/campaigns/{campaign.id}", f"/staff/campaigns/{campaign.id}/qr.png",
                f"/staff/circles/{circle.id}", f"/staff/campaigns/{campaign.id}/preview/campaign_report"]:
        assert client.get(url).status_code == 404, url
    assert client.get(f"/community/circles/{circle.id}").status_code == 200
    assert client.get(f"/api/v1/campaigns/{campaign.id}/summary").status_code == 200  # aggregates only
