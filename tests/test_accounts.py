"""Staff accounts in the browser (admins only) and ``surveyapp user ...`` (issue 12, item 4)."""
from __future__ import annotations

import json

import pytest
from sqlmodel import select

from surveyapp.auth.users import create_user, grant_circle
from surveyapp.models import AuditEntry, CircleAccess, User

from .conftest import csrf_token
from .helpers import make_circle


def login(client, username, password):
    token = csrf_token(client.get("/staff/login").get_data(as_text=True))
    return client.post("/staff/login", data={"csrf_token": token, "username": username, "password": password})


def post(client, path, data, page="/staff/accounts"):
    token = csrf_token(client.get(page).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **data})


@pytest.fixture
def admin(app, db):
    create_user(db, "boss", "boss-pass-1", "admin", "局里管理员")
    client = app.test_client()
    login(client, "boss", "boss-pass-1")
    return client


@pytest.fixture
def circles(db):
    return make_circle(db, name="东城生活圈"), make_circle(db, name="西城生活圈")


def accounts(db) -> dict[str, User]:
    db.expire_all()
    return {u.username: u for u in db.exec(select(User)).all()}


def circles_of(db, user) -> set[int]:
    return set(db.exec(select(CircleAccess.circle_id).where(CircleAccess.user_id == user.id)))


def test_an_admin_creates_an_account_that_must_change_its_one_time_password(app, admin, db, circles):
    page = admin.get("/staff/accounts/new").get_data(as_text=True)
    assert "东城生活圈" in page and "一次性密码" in page
    response = post(admin, "/staff/accounts/new", {"username": "wang", "display_name": "王社区", "role": "officer",
                                                   "circles": str(circles[0].id), "password": "first-pass-1"},
                    page="/staff/accounts/new")
    assert response.status_code == 302
    wang = accounts(db)["wang"]
    assert (wang.role, wang.display_name, wang.must_change_password) == ("officer", "王社区", True)
    assert circles_of(db, wang) == {circles[0].id}
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "account.create")).one()
    assert entry.after["circles"] == [circles[0].id] and "first-pass-1" not in json.dumps(entry.after)
    listing = admin.get("/staff/accounts").get_data(as_text=True)
    assert "王社区" in listing and "待改密码" in listing and "东城生活圈" in listing

    user = app.test_client()
    assert login(user, "wang", "first-pass-1").headers["Location"] == "/staff/password"
    assert user.get("/community/").headers["Location"] == "/staff/password"
    post(user, "/staff/password", {"current_password": "first-pass-1", "new_password": "wangs-own-pass",
                                   "confirm": "wangs-own-pass"}, page="/staff/password")
    assert user.get(f"/community/circles/{circles[0].id}").status_code == 200


@pytest.mark.parametrize("data, field, message", [
    ({"username": "boss"}, "username", "已存在"),
    ({"username": ""}, "username", "请填写用户名"),
    ({"username": "has space"}, "username", "不能含空格"),
    ({"role": ""}, "role", "请选择角色"),
    ({"password": "short"}, "password", "至少 8 位"),
])
def test_bad_input_gets_a_message_next_to_the_field_and_keeps_what_was_typed(admin, db, circles, data, field, message):
    typed = {"username": "zhao", "display_name": "赵评估师", "role": "assessor", "circles": str(circles[1].id),
             "password": "first-pass-1", **data}
    response = post(admin, "/staff/accounts/new", typed, page="/staff/accounts/new")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    block = page[page.index(f'id="{field}"'):]
    assert message in block[:block.index("</div>")]  # next to its own field
    assert 'value="赵评估师"' in page
    import re

    assert re.search(rf'<input checked[^>]*value="{circles[1].id}"', page)
    assert not re.search(rf'<input checked[^>]*value="{circles[0].id}"', page)
    assert "zhao" not in accounts(db)


def test_role_circles_password_and_state_from_the_account_page(app, admin, db, circles):
    officer = create_user(db, "wang", "wang-pass-1", "officer")
    grant_circle(db, officer, circles[0])
    user = app.test_client()
    login(user, "wang", "wang-pass-1")
    page = f"/staff/accounts/{officer.id}"
    assert "wang" in admin.get(page).get_data(as_text=True)

    assert post(admin, f"{page}/circles", {"sent": "1", "circles": str(circles[1].id)}, page=page).status_code == 302
    assert circles_of(db, officer) == {circles[1].id}
    assert user.get(f"/community/circles/{circles[0].id}").status_code == 404
    assert user.get(f"/community/circles/{circles[1].id}").status_code == 200  # granting does not sign out

    assert post(admin, f"{page}/edit", {"display_name": "王", "role": "assessor"}, page=page).status_code == 302
    assert accounts(db)["wang"].role == "assessor"
    assert "/staff/login" in user.get("/community/").headers["Location"]  # the role change ended the session

    assert post(admin, f"{page}/state", {"active": "0"}, page=page).status_code == 302
    assert accounts(db)["wang"].active is False
    assert login(app.test_client(), "wang", "wang-pass-1").status_code == 200
    assert post(admin, f"{page}/state", {"active": "1"}, page=page).status_code == 302
    assert login(app.test_client(), "wang", "wang-pass-1").status_code == 302

    assert post(admin, f"{page}/password", {"password": "temp-pass-99"}, page=page).status_code == 302
    wang = accounts(db)["wang"]
    assert wang.must_change_password and login(app.test_client(), "wang", "temp-pass-99").status_code == 302
    actions = [e.action for e in db.exec(select(AuditEntry).where(AuditEntry.target_id == str(officer.id))
                                         .order_by(AuditEntry.id)).all() if e.action.startswith("account.")]
    assert actions == ["account.circles", "account.update", "account.disable", "account.enable", "account.password"]


def test_a_refused_change_is_explained_on_the_page(admin, db):
    me = accounts(db)["boss"]
    response = post(admin, f"/staff/accounts/{me.id}/edit", {"display_name": "我", "role": "officer"},
                    page=f"/staff/accounts/{me.id}")
    assert response.status_code == 422 and "不能对自己的账户做这项修改" in response.get_data(as_text=True)
    assert 'value="我"' in response.get_data(as_text=True)
    response = post(admin, f"/staff/accounts/{me.id}/state", {"active": "0"}, page=f"/staff/accounts/{me.id}")
    assert response.status_code == 422 and "不能对自己的账户" in response.get_data(as_text=True)
    assert accounts(db)["boss"].role == "admin" and accounts(db)["boss"].active


def test_the_last_admin_cannot_be_disabled_or_demoted(db):
    from surveyapp.accounts import operations

    boss = create_user(db, "boss", "boss-pass-1", "admin")
    with pytest.raises(operations.FieldError, match="最后一个"):
        operations.set_active(db, boss, False)
    with pytest.raises(operations.FieldError, match="最后一个"):
        operations.update_account(db, boss, role="assessor")


def test_the_navigation_shows_account_management_to_admins_only(app, admin, db):
    assert "账户管理" in admin.get("/community/").get_data(as_text=True)
    create_user(db, "li", "li-pass-12", "assessor")
    assessor = app.test_client()
    login(assessor, "li", "li-pass-12")
    assert "账户管理" not in assessor.get("/staff/campaigns").get_data(as_text=True)
    assert assessor.get("/staff/accounts").status_code == 404


# --- command line -------------------------------------------------------------------------------

def test_cli_parity(runner, db, circles):
    def run(*args):
        result = runner.invoke(args=["user", *args, "--json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    create_user(db, "boss", "boss-pass-1", "admin")
    run("create", "--username", "wang", "--role", "officer", "--password", "wang-pass-1", "--circle",
        str(circles[0].id))
    assert run("grant", "--username", "wang", "--circle", str(circles[1].id))["circles"] == [c.id for c in circles]
    assert run("revoke", "--username", "wang", "--circle", str(circles[0].id))["circles"] == [circles[1].id]
    assert run("set-role", "--username", "wang", "--role", "assessor")["role"] == "assessor"
    assert run("disable", "--username", "wang")["active"] is False
    assert run("enable", "--username", "wang")["active"] is True
    assert run("set-password", "--username", "wang", "--password", "temp-pass-99")["must_change_password"] is True
    wang = accounts(db)["wang"]
    assert (wang.role, wang.active, wang.must_change_password, wang.session_version) == ("assessor", True, True, 3)
    # (the circles made for the test leave their own circle.create entries)
    actions = [e.action for e in db.exec(select(AuditEntry).order_by(AuditEntry.id)).all()
               if e.action.startswith("account.")]
    assert actions == ["account.create", "account.circles", "account.circles", "account.update", "account.disable",
                       "account.enable", "account.password"]
    assert all(e.actor.startswith("命令行") for e in db.exec(select(AuditEntry)).all())


def test_cli_refusals_are_messages(runner, db):
    create_user(db, "boss", "boss-pass-1", "admin")
    result = runner.invoke(args=["user", "revoke", "--username", "nobody", "--circle", "1"])
    assert result.exit_code == 1 and "用户 nobody 不存在" in result.output
    result = runner.invoke(args=["user", "disable", "--username", "boss"])
    assert result.exit_code == 1 and "最后一个" in result.output
    result = runner.invoke(args=["user", "create", "--username", "x", "--role", "officer", "--password", "short"])
    assert result.exit_code == 1 and "至少 8 位" in result.output
