"""Two circles with one of everything, and a user of every role: the world the access-table
walk (and any test that needs a realistic, scoped set of objects) runs in.

Built through the same operations the app uses; kept small so that building it is cheap.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from surveyapp.auth.users import create_user, grant_circle
from surveyapp.community.operations import create_project
from surveyapp.demo.synthetic import generate
from surveyapp.evaluation.operations import open_evaluation
from surveyapp.evaluation.registry import current_rules
from surveyapp.merchants.synthetic import generate as generate_merchants
from surveyapp.geo import GeoPoint
from surveyapp.locations.operations import add_point
from surveyapp.models import Channel, Community, IssuedReport, Outlet, Response
from surveyapp.models.timeutil import utcnow
from surveyapp.questionnaire import validate_answers
from surveyapp.questionnaire.registry import current_questionnaire
from surveyapp.responses.operations import NewResponse, record_many
from sqlmodel import select

from .helpers import make_campaign, make_circle, PROJECT_QUESTIONNAIRES

PASSWORDS = {"officer": "officer-pass-1", "assessor": "assessor-pass-1", "admin": "admin-pass-1",
             "interviewer": "interviewer-pass-1"}
COMMUNITIES = (("东社区", 3000), ("西社区", 2000))


@dataclass
class CircleObjects:
    """The ids of one circle's objects, by URL parameter name."""

    ids: dict = field(default_factory=dict)


@dataclass
class World:
    own: CircleObjects
    other: CircleObjects
    users: dict  # role -> User (officer, assessor and interviewer are granted the own circle only)


def _residents(db, circle, campaign, questionnaire, count=6, seed=1):
    items = []
    for index, item in enumerate(generate(questionnaire, list(COMMUNITIES), count, seed=seed)):
        answers = dict(item.answers)
        answers["suggestion"] = f"建议 {index}"
        items.append(NewResponse(answers=answers, channel=Channel.qr.value,
                                 started_at=utcnow() - timedelta(minutes=5), finished_at=utcnow(),
                                 device_hash=secrets.token_hex(32)))
    return record_many(db, campaign, questionnaire, items)


def _merchants(db, campaign, questionnaire, count=2):
    items = []
    for channel, answers in generate_merchants()[:count]:
        clean, errors = validate_answers(questionnaire, answers)
        assert not errors, errors
        items.append(NewResponse(answers=clean, channel=Channel.paper.value, serial=secrets.token_hex(4)))
    return record_many(db, campaign, questionnaire, items)


def _circle_objects(app, db, name: str, seed: int) -> CircleObjects:
    circle = make_circle(db, name=name, population=5000, communities=COMMUNITIES)
    with app.app_context():
        resident = current_questionnaire("resident")
        merchant = current_questionnaire("merchant")
        rules = current_rules(app.config["DEFAULT_RULES"])
    campaign = make_campaign(db, circle, PROJECT_QUESTIONNAIRES / "resident.yaml")
    merchant_campaign = make_campaign(db, circle, PROJECT_QUESTIONNAIRES / "merchant.yaml")
    responses = _residents(db, circle, campaign, resident, seed=seed)
    _merchants(db, merchant_campaign, merchant)
    evaluation = open_evaluation(db, circle, rules, campaign)
    with app.app_context():
        project = create_project(db, circle.id, {"laundry"}, {"title": "引进洗衣店", "type_code": "laundry",
                                                             "responsible": "居委会"}, None, utcnow().date())
    report = IssuedReport(kind="campaign_report", report_number=f"PJ-TEST-{seed:04d}", campaign_id=campaign.id,
                          media_type="application/pdf", content=b"%PDF-1.7 test", sha256="0" * 64,
                          data_fingerprint="0" * 64, issued_on=utcnow().date(), issued_by_name="测试")
    db.add(report)
    db.commit()
    outlet = db.exec(select(Outlet).where(Outlet.circle_id == circle.id)).first()
    community = db.exec(select(Community).where(Community.circle_id == circle.id)).first()
    point = add_point(db, community, GeoPoint(39.9 + seed / 100, 116.4), "1号院")
    response = db.exec(select(Response).where(Response.campaign_id == campaign.id)).first()
    assert outlet is not None and response is not None and responses
    return CircleObjects(ids={
        "circle_id": circle.id, "campaign_id": campaign.id, "merchant_campaign_id": merchant_campaign.id,
        "evaluation_id": evaluation.id, "response_id": response.id, "outlet_id": outlet.id,
        "project_id": project.id, "report_id": report.id, "token": campaign.token,
        "point_id": point.id,
    })


def build_world(app, db) -> World:
    own = _circle_objects(app, db, "本圈", seed=1)
    other = _circle_objects(app, db, "他圈", seed=2)
    users = {}
    for role, password in PASSWORDS.items():
        user = create_user(db, f"{role}-user", password, role, f"{role} 测试")
        if role != "admin":
            from surveyapp.models import Circle

            grant_circle(db, user, db.get(Circle, own.ids["circle_id"]))
        users[role] = user
    return World(own=own, other=other, users=users)


def signed_in(app, world: World, role: str):
    """A test client signed in as the world's user of ``role`` (through the login page)."""
    client = app.test_client()
    user = world.users[role]
    response = client.post("/staff/login", data={"username": user.username, "password": PASSWORDS[role]})
    assert response.status_code == 302, f"{role} could not sign in"
    return client
