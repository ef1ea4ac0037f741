"""Writes for the demo: one circle, one open resident campaign, ~650 responses, staff accounts."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta, timezone

from sqlmodel import Session, select

from ..auth.users import create_user, grant_circle
from ..campaigns.operations import open_campaign
from ..circles.operations import create_circle
from ..models import Campaign, Channel, Circle, CircleCreate, CommunityCreate, Response, User
from ..responses.operations import NewResponse, record_many
from ..responses.quality import OUTSIDE_COMMUNITY
from ..models.timeutil import utcnow
from .synthetic import generate

DEMO_CIRCLE = "示例生活圈"
#: Age structure of the demo circle's residents (for post-stratified weights).
DEMO_AGE_STRUCTURE = {"a18_29": 0.17, "a30_44": 0.27, "a45_59": 0.25, "a60_69": 0.17, "a70_plus": 0.14}
DEMO_COMMUNITIES = [("幸福里社区", 8200), ("和平社区", 6900), ("新桥社区", 4900)]
DEMO_USERS = [("assessor", "assessor", "demo-assessor", "示例评价机构"), ("admin", "admin", "demo-admin", "平台管理员")]


@dataclass
class DemoResult:
    circle: Circle
    campaign: Campaign
    created: bool
    responses: int


def seed_demo(session: Session, questionnaire, responses: int = 640, incomplete: int = 12) -> DemoResult:
    """Create the demo data unless it is already there (idempotent)."""
    circle = session.exec(select(Circle).where(Circle.name == DEMO_CIRCLE)).first()
    if circle is not None:
        campaign = session.exec(select(Campaign).where(Campaign.circle_id == circle.id).order_by(Campaign.id)).first()
        count = len(session.exec(select(Response.id).where(Response.campaign_id == campaign.id)).all())
        return DemoResult(circle, campaign, False, count)

    circle = create_circle(session, CircleCreate(
        name=DEMO_CIRCLE, population=20000, city_tier=2, age_structure=DEMO_AGE_STRUCTURE,
        communities=[CommunityCreate(name=n, population=p) for n, p in DEMO_COMMUNITIES],
    ))
    opened = utcnow() - timedelta(days=20)
    campaign = open_campaign(session, circle, questionnaire, opens_at=opened, closes_at=opened + timedelta(days=45))
    synthetic = generate(questionnaire, DEMO_COMMUNITIES, responses, incomplete=incomplete,
                         start=opened.replace(tzinfo=None))
    items = []
    for index, item in enumerate(synthetic):
        paper = not item.complete or index % 9 == 0
        answers = dict(item.answers)
        if index % 97 == 5:
            answers["community"] = OUTSIDE_COMMUNITY  # a few passers-by who do not live here
        items.append(NewResponse(
            answers=answers,
            channel=Channel.paper.value if paper else Channel.qr.value,
            complete=item.complete,
            started_at=None if paper else item.started_at.replace(tzinfo=timezone.utc),
            finished_at=item.finished_at.replace(tzinfo=timezone.utc),
            device_hash=None if paper else secrets.token_hex(32),
            serial=f"P{index + 1:04d}" if paper else None,
        ))
    record_many(session, campaign, questionnaire, items)

    for username, role, password, name in DEMO_USERS:
        user = session.exec(select(User).where(User.username == username)).first()
        if user is None:
            user = create_user(session, username, password, role, name)
        grant_circle(session, user, circle)
    return DemoResult(circle, campaign, True, len(synthetic))
