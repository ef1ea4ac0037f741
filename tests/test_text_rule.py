"""One rule for all text entering the system (issue 10, item 1): C0 controls except tab and
newline removed, CR/CRLF turned into newline, lone surrogates refused with a message; applied
to query strings, form fields, JSON bodies, command-line options and imported files, with a
backstop where sessions write to the database.

``test_every_text_field_of_every_form`` finds the forms by reading the app's pages (every GET
endpoint of the URL map, as an admin and as an anonymous visitor), fills every text field with
control characters and submits each form, so a form added later joins by construction. On
PostgreSQL (SURVEYAPP_TEST_DATABASE_URL) a NUL that got through would fail the write with a 500.
"""
from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
import sqlalchemy as sa
from flask import request
from werkzeug.datastructures import MultiDict
from sqlmodel import SQLModel

from surveyapp.db import is_text_column
from surveyapp.textinput import UnreadableText, clean_data, clean_text, scrub_text

from .test_access_table import Walker
from .world import build_world

DIRTY = "甲\x00乙\x07丙\x1b丁戊己庚辛"
DIRTY_LINES = "第一行\r\n第二行\r第三\x00行"
CLEAN = "甲乙丙丁戊己庚辛"


# --- the rule itself ----------------------------------------------------------------------------

@pytest.mark.parametrize("given, kept", [
    ("a\x00b", "ab"), ("\x01\x02\x03\x08\x0b\x0c\x0e\x1f\x7f", ""), ("tab\there", "tab\there"),
    ("line\nnext", "line\nnext"), ("crlf\r\nnext", "crlf\nnext"), ("cr\rnext", "cr\nnext"),
    ("\r\n\r\n", "\n\n"), ("中文，标点。🙂", "中文，标点。🙂"), ("", ""),
])
def test_the_rule(given, kept):
    assert clean_text(given) == kept


def test_a_lone_surrogate_is_refused_with_a_chinese_message_naming_where():
    with pytest.raises(UnreadableText, match="q_name.*无法识别的字符"):
        clean_text("abc\ud800", "q_name")
    assert scrub_text("abc\udc80\x00") == "abc\ufffd"
    assert clean_data({"k\x00": ["v\x01", 1, None, {"x": "y\r"}]}) == {"k": ["v", 1, None, {"x": "y\n"}]}


# --- requests -----------------------------------------------------------------------------------

def test_query_string_form_and_json_are_cleaned_by_the_request(app):
    with app.test_request_context("/?q=a%00b%0D%0Ac", method="POST", data={"f\x00": DIRTY}):
        assert request.args["q"] == "ab\nc"
        assert request.form["f"] == CLEAN
    with app.test_request_context("/", method="POST", json={"a": DIRTY, "b": [DIRTY_LINES]}):
        assert request.get_json() == {"a": CLEAN, "b": ["第一行\n第二行\n第三行"]}


def test_a_lone_surrogate_in_json_answers_400_in_chinese(app):
    from werkzeug.exceptions import BadRequest

    with app.test_request_context("/", method="POST", data='{"a": "x\\ud800"}', content_type="application/json"):
        with pytest.raises(BadRequest) as refused:
            request.get_json()
        assert "无法识别的字符" in refused.value.description


def test_invalid_utf8_in_a_form_is_kept_visible_not_crashing(client):
    """Browsers send UTF-8; undecodable bytes come through Werkzeug quoted, never as surrogates."""
    response = client.post("/staff/login", data=b"username=%ED%A0%80&password=x",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code in (200, 400)


def test_nul_in_a_login_username_needs_no_sign_in_and_does_not_break(client, db):
    """The review's 500 on PostgreSQL without signing in."""
    from .conftest import csrf_token

    token = csrf_token(client.get("/staff/login").get_data(as_text=True))
    response = client.post("/staff/login", data={"csrf_token": token, "username": "admin\x00", "password": "whatever-1"})
    assert response.status_code == 200 and "用户名或密码不正确" in response.get_data(as_text=True)
    from sqlmodel import select

    from surveyapp.models import AuditEntry

    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "auth.login_failed")).one()
    assert entry.after["username"] == "admin"


# --- the database backstop ----------------------------------------------------------------------

def test_text_written_by_code_is_scrubbed_at_flush(db):
    from surveyapp.models import AuditEntry

    entry = AuditEntry(actor="a\x00b", role="", action="test.x", target_type="", target_id="", summary="s\ud800\x01",
                       before={"k\x00": "v\x07"}, after=None, address="")
    db.add(entry)
    db.commit()
    db.expire_all()
    stored = db.get(AuditEntry, entry.id)
    assert (stored.actor, stored.summary, stored.before) == ("ab", "s\ufffd", {"k": "v"})


def test_a_response_stored_past_the_unit_of_work_is_scrubbed_the_same(db):
    """record_response inserts with a Core statement, not a flush: the same backstop applies."""
    from sqlmodel import select

    from surveyapp.models import Response
    from surveyapp.questionnaire import load_questionnaire
    from surveyapp.responses.operations import NewResponse, record_response

    from .helpers import PROJECT_QUESTIONNAIRES, make_campaign, make_circle

    path = PROJECT_QUESTIONNAIRES / "resident.yaml"
    campaign = make_campaign(db, make_circle(db), path)
    stored = record_response(db, campaign, load_questionnaire(path), NewResponse(
        answers={"suggestion": "多开\x00早餐店\ud800", "community": "东社区\x07"}, serial="A\x001", channel="paper"))
    db.expire_all()
    row = db.exec(select(Response).where(Response.id == stored.id)).one()
    assert (row.answers["suggestion"], row.answers["community"], row.serial) == ("多开早餐店\ufffd", "东社区", "A1")
    assert row.community == "东社区"


# --- command line -------------------------------------------------------------------------------

def test_cli_options_are_cleaned_and_surrogates_refused(runner, db):
    from surveyapp.models import User

    result = runner.invoke(args=["user", "create", "--username", "li\x00si", "--role", "officer",
                                 "--name", "李\x07四", "--password", "pass-word-1"])
    assert result.exit_code == 0, result.output
    user = db.exec(sa.select(User)).scalars().one()
    assert (user.username, user.display_name) == ("lisi", "李四")
    refused = runner.invoke(args=["user", "create", "--username", "wang\udce9", "--role", "officer",
                                  "--password", "pass-word-1"])
    assert refused.exit_code == 2 and "无法识别的字符" in refused.output


def test_every_cli_command_passes_the_rule(app):
    """Commands registered by any feature are wrapped (new ones join by themselves)."""
    import click

    def commands(group):
        for command in group.commands.values():
            yield command
            if isinstance(command, click.Group):
                yield from commands(command)

    unwrapped = [c.name for c in commands(app.cli) if c.callback and not getattr(c.callback, "cleans_options", False)]
    assert not unwrapped


# --- every text field of every form ---------------------------------------------------------------

class Forms(HTMLParser):
    """The POST forms of a page: action and fields as a browser would submit them."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            self._form = {"action": a.get("action") or "", "fields": [], "text": []}
            self.forms.append(self._form)
        if self._form is None:
            return
        fields = self._form["fields"]
        if tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("text", "search", "password", "email", "tel", "url"):
                self._form["text"].append(a["name"])
                numeric = a.get("inputmode") in ("numeric", "decimal")
                fields.append((a["name"], "number" if numeric else None))
            elif kind in ("radio", "checkbox"):
                if "checked" in a or (kind == "radio" and all(n != a["name"] for n, _ in fields)):
                    fields.append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "button", "file"):
                fields.append((a["name"], a.get("value", "")))
        elif tag == "textarea" and a.get("name"):
            self._form["text"].append(a["name"])
            fields.append((a["name"], None))
        elif tag == "select" and a.get("name"):
            self._select = {"name": a["name"], "first": None, "chosen": None}
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select["first"] is None and value:
                self._select["first"] = value
            if "selected" in a:
                self._select["chosen"] = value

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None and self._form is not None:
            value = self._select["chosen"] if self._select["chosen"] is not None else self._select["first"]
            if value is not None:
                self._form["fields"].append((self._select["name"], value))
            self._select = None


def _post_forms(client, page_url: str, html: str, seen: set, exercised: list, failures: list):
    parser = Forms()
    parser.feed(html)
    moved_to = None
    for form in parser.forms:
        action = urljoin(page_url, form["action"] or page_url)
        path = urlsplit(action).path
        # A paged questionnaire posts every step to one address; each step is a form of its own.
        key = (path, dict(form["fields"]).get("step"))
        steps_on = key[1] is not None  # a step without text still leads to the steps with text
        if path.endswith("/logout") or key in seen or not (form["text"] or steps_on):
            continue
        seen.add(key)
        exercised.extend(f"{path} {name}" for name in form["text"])
        # First every text field dirty (a refused form is shown again with what was typed),
        # then with numbers in the numeric ones (so that the form is accepted and stored).
        for numbers in (DIRTY, "1"):
            data = []
            for name, value in form["fields"]:
                if value == "number":
                    value = numbers
                elif value is None:
                    value = DIRTY_LINES if name in ("text", "note", "reason", "action") else DIRTY
                data.append((name, value))
            response = client.post(path, data=MultiDict(data))
            if response.status_code >= 500:
                failures.append(f"POST {path}: {response.status_code}")
            elif response.status_code in (302, 303):
                moved_to = response.headers["Location"]
    return moved_to


def _stored_controls(db) -> list[str]:
    """Every stored text or JSON value still holding a control character (none may)."""
    import re

    bad = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
    found = []
    for table in SQLModel.metadata.sorted_tables:
        columns = [c for c in table.columns if is_text_column(c)]
        if not columns:
            continue
        for row in db.execute(sa.select(*columns)).all():
            for column, value in zip(columns, row):
                text = value if isinstance(value, str) else repr(value) if value is not None else ""
                if bad.search(text.replace("\\x", "") if not isinstance(value, str) else text):
                    found.append(f"{table.name}.{column.name}")
    return found


def _contains_clean(db) -> int:
    count = 0
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            if is_text_column(column) and not isinstance(column.type, sa.JSON):
                count += db.execute(sa.select(sa.func.count()).where(column.contains(CLEAN))).scalar_one()
    return count


@pytest.fixture
def walk_app(make_app):
    from surveyapp.migrations import upgrade_database

    from .conftest import get_engine_of

    app = make_app(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    upgrade_database(get_engine_of(app))
    return app


def test_every_text_field_of_every_form(walk_app, db, monkeypatch):
    from surveyapp.auth.users import create_user

    from . import test_access_table

    world = build_world(walk_app, db)
    # The account pages' forms (one-time password, disable) act on a spare account, so that the
    # world's officer can still sign in for the walk afterwards.
    world.users["spare"] = create_user(db, "spare-user", "spare-pass-1", "officer")
    monkeypatch.setitem(test_access_table.WORLD_PARAMS, "user_id", ("users", "spare"))
    walker = Walker(walk_app, world)
    seen: set = set()
    exercised: list[str] = []
    failures: list[str] = []
    rules = sorted((r for r in walk_app.url_map.iter_rules() if "GET" in r.methods and r.endpoint != "static"),
                   key=lambda r: r.endpoint)
    for role in ("anonymous", "admin"):
        client = walker.client(role)
        for rule in rules:
            url = walker.url(rule, "own")
            page = client.get(url)
            if page.status_code >= 500:
                failures.append(f"GET {url}: {page.status_code}")
            for _step in range(20):  # the resident's form: follow it step by step to the end
                if page.mimetype != "text/html" or page.status_code != 200:
                    break
                moved_to = _post_forms(client, url, page.get_data(as_text=True), seen, exercised, failures)
                if rule.endpoint != "collect.answer" or not moved_to or "/answer" not in moved_to:
                    break
                url = moved_to
                page = client.get(url)
    # Afterwards every page still opens (the review's officer pages answered 500 after one NUL).
    for role in ("admin", "officer"):
        client = walker.client(role)
        for rule in rules:
            response = client.get(walker.url(rule, "own"))
            response.close()
            if response.status_code >= 500:
                failures.append(f"GET {rule.rule} as {role} afterwards: {response.status_code}")
    assert not failures, "\n".join(failures)
    assert not _stored_controls(db)
    # Not vacuous: the forms the review broke were found and their cleaned text stored.
    fields = " ".join(exercised)
    for expected in ("/staff/login username", "/answer q_suggestion", "/projects/new title", "/outlets/new name",
                     "/staff/accounts/new username"):
        assert expected in fields, (expected, [f for f in exercised if "/s/" in f])
    assert _contains_clean(db) >= 3
