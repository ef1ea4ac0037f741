"""The access table, checked against every endpoint the app registers.

``test_every_endpoint_is_in_the_table`` fails for a page added without an entry (and for an
entry whose page is gone). ``test_walk_every_endpoint_as_every_role`` requests every endpoint
(GET and POST) as anonymous, officer, assessor, admin and interviewer, with the ids of the
officer's, assessor's and interviewer's own circle and of another circle, and compares what
happens with the table:

- a role the table does not list: anonymous visitors are sent to sign in (401 on the API),
  signed-in users get 404;
- a listed role: the page answers (anything but 401/403/404 or a server error), except that
  officers, assessors and interviewers asking for another circle's objects get 404; admins
  see every circle.

A new endpoint whose URL takes a parameter the walk has no sample for fails with a message
saying which sample to add below.
"""
from __future__ import annotations

import pytest

from surveyapp.auth.access_table import ACCESS_TABLE, ANONYMOUS, ADMIN, PUBLIC

from .world import build_world, signed_in

#: URL parameters naming an object of a circle: a URL with one of them is scoped to that circle.
OBJECT_PARAMS = ("circle_id", "campaign_id", "evaluation_id", "response_id", "outlet_id", "project_id",
                 "report_id", "point_id")
#: Sample values of the other parameters (not tied to a circle).
GENERIC_PARAMS = {"key": "needs", "code": "laundry", "filename": "staff.css"}
#: Parameters naming an object of the world that belongs to no circle: (world attribute, key).
#: Account pages take the officer's account (an empty POST to them must change nothing).
WORLD_PARAMS = {"user_id": ("users", "officer")}
#: Parameters whose valid values depend on the endpoint.
ENDPOINT_PARAMS = {
    "campaigns.qr": {"kind": "svg"},
    "reporting.preview": {"kind": "summary_sheet_xlsx"},
    "reporting.campaign_issue_page": {"kind": "campaign_report"},
    "exports.responses": {"fmt": "sav"},
    "exports.codebook_file": {"fmt": "xlsx"},
}
#: Endpoints that end the session: walked last, so that the other requests keep theirs.
SESSION_ENDERS = ("auth.logout",)


@pytest.fixture
def access_app(make_app):
    from surveyapp.migrations import upgrade_database

    from .conftest import get_engine_of

    app = make_app(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    upgrade_database(get_engine_of(app))
    return app


def _rules(app):
    return [rule for rule in app.url_map.iter_rules()]


def test_every_endpoint_is_in_the_table(access_app):
    endpoints = {rule.endpoint for rule in _rules(access_app)}
    missing = sorted(endpoints - set(ACCESS_TABLE))
    assert not missing, f"endpoints missing from surveyapp/auth/access_table.py: {missing}"
    stale = sorted(set(ACCESS_TABLE) - endpoints)
    assert not stale, f"access table entries with no endpoint: {stale}"
    for endpoint, roles in ACCESS_TABLE.items():
        assert roles, f"{endpoint} allows nobody"


def test_an_endpoint_missing_from_the_table_is_refused_to_everyone(access_app, db):
    """Deny by default: a page registered without an entry answers 404 even to an admin."""
    @access_app.route("/staff/forgotten")
    def forgotten():
        return "secret"

    from surveyapp.auth.users import create_user

    create_user(db, "root", "admin-pass-1", "admin")
    client = access_app.test_client()
    client.post("/staff/login", data={"username": "root", "password": "admin-pass-1"})
    assert client.get("/staff/forgotten").status_code == 404
    assert access_app.test_client().get("/staff/forgotten").status_code == 404


class Walker:
    def __init__(self, app, world):
        self.app = app
        self.world = world
        self.clients: dict[str, object] = {}

    def client(self, role: str):
        if role == ANONYMOUS:
            return self.app.test_client()
        if role not in self.clients:
            self.clients[role] = signed_in(self.app, self.world, role)
        return self.clients[role]

    def url(self, rule, scope: str) -> str | None:
        objects = (self.world.own if scope == "own" else self.world.other).ids
        values = {}
        for name in rule.arguments:
            if name in OBJECT_PARAMS or name == "token":
                values[name] = objects[name]
            elif name in WORLD_PARAMS:
                attribute, key = WORLD_PARAMS[name]
                values[name] = getattr(self.world, attribute)[key].id
            elif name in ENDPOINT_PARAMS.get(rule.endpoint, {}):
                values[name] = ENDPOINT_PARAMS[rule.endpoint][name]
            elif name in GENERIC_PARAMS:
                values[name] = GENERIC_PARAMS[name]
            else:
                pytest.fail(f"no sample value for <{name}> of {rule.endpoint} ({rule.rule}): add one to "
                            "GENERIC_PARAMS or ENDPOINT_PARAMS in tests/test_access_table.py")
        return rule.build(values, append_unknown=False)[1]


def outcome(response) -> str:
    location = response.headers.get("Location", "")
    if response.status_code in (301, 302, 303, 307, 308) and "/staff/login?next=" in location:
        return "sign in"
    if response.status_code == 401:
        return "sign in"
    if response.status_code in (403, 404):
        return "hidden"
    if response.status_code >= 500:
        return "error"
    return "answered"


def expected(roles, role: str, scope: str, scoped: bool) -> str:
    if role not in roles:
        return "sign in" if role == ANONYMOUS else "hidden"
    if scoped and scope == "other" and role != ADMIN and roles != PUBLIC:
        return "hidden"
    return "answered"


def test_walk_every_endpoint_as_every_role(access_app, db):
    world = build_world(access_app, db)
    walker = Walker(access_app, world)
    rules = sorted(_rules(access_app), key=lambda r: (r.endpoint in SESSION_ENDERS, r.endpoint, r.rule))
    failures = []
    checked = 0
    for rule in rules:
        roles = ACCESS_TABLE[rule.endpoint]
        scoped = any(name in OBJECT_PARAMS for name in rule.arguments)
        for method in sorted(rule.methods & {"GET", "POST"}):
            for role in ("anonymous", "officer", "assessor", "admin", "interviewer"):
                for scope in (("own", "other") if scoped and role != ANONYMOUS else ("own",)):
                    url = walker.url(rule, scope)
                    response = walker.client(role).open(url, method=method)
                    response.close()  # static files are streamed from an open file
                    got, want = outcome(response), expected(roles, role, scope, scoped)
                    checked += 1
                    if got != want:
                        failures.append(f"{method} {url} ({rule.endpoint}) as {role} of the {scope} circle: "
                                        f"{response.status_code} → {got}, table says {want}")
        if rule.endpoint in SESSION_ENDERS:
            walker.clients.clear()
    assert not failures, "\n".join(failures)
    assert checked > 5 * len(ACCESS_TABLE)


def test_interviewers_only_take_answers():
    """An interviewer reaches the public pages, signing out, their own password and 访员模式,
    nothing else: no figure, no other answer, no list."""
    from surveyapp.auth.access_table import INTERVIEWER

    reachable = {e for e, roles in ACCESS_TABLE.items() if INTERVIEWER in roles and roles != PUBLIC}
    assert reachable == {"auth.logout", "auth.change_password", "interview.index", "interview.answer", "interview.saved"}


def test_officers_never_reach_individual_responses_or_the_assessors_work():
    """Officers see aggregates and suggestion text only: the campaign dashboard (individual
    answers), the outlet inventory, evaluations and reports are for assessors and admins."""
    from surveyapp.auth.access_table import OFFICER

    assessors_work = ("results.", "merchants.", "evaluation.", "reporting.", "campaigns.", "exports.", "platforms.")
    leaks = [e for e, roles in ACCESS_TABLE.items() if e.startswith(assessors_work) and OFFICER in roles]
    assert not leaks


def test_officer_is_refused_the_outlet_list_and_its_writes(access_app, db):
    """The hole the hardening review found: an officer of the circle read and changed the outlets."""
    world = build_world(access_app, db)
    walker = Walker(access_app, world)
    circle, outlet = world.own.ids["circle_id"], world.own.ids["outlet_id"]
    officer = walker.client("officer")
    assert officer.get(f"/staff/circles/{circle}/outlets").status_code == 404
    for path in ("outlets/new", f"outlets/{outlet}/status", f"outlets/{outlet}/separate"):
        assert officer.post(f"/staff/circles/{circle}/{path}", data={"value": "closed", "name": "x"}).status_code == 404
    from surveyapp.models import Outlet

    db.expire_all()
    assert db.get(Outlet, outlet).status == "open"
