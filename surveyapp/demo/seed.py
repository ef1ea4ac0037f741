"""Writes for the demo: one circle, one open resident campaign, ~650 responses, staff accounts."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta, timezone

from sqlmodel import Session, select

from ..auth.users import create_user, grant_circle
from ..campaigns.operations import open_campaign
from ..circles.operations import create_circle
from ..models import Campaign, Channel, Circle, CircleCreate, CommunityCreate, Response, ResponseStatus, User
from ..models.timeutil import utcnow
from .synthetic import generate

DEMO_CIRCLE = "示例生活圈"
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
        name=DEMO_CIRCLE, population=20000, city_tier=2,
        communities=[CommunityCreate(name=n, population=p) for n, p in DEMO_COMMUNITIES],
    ))
    opened = utcnow() - timedelta(days=20)
    campaign = open_campaign(session, circle, questionnaire, opens_at=opened, closes_at=opened + timedelta(days=45))
    synthetic = generate(questionnaire, DEMO_COMMUNITIES, responses, incomplete=incomplete,
                         start=opened.replace(tzinfo=None))
    for index, item in enumerate(synthetic):
        paper = not item.complete or index % 9 == 0
        session.add(Response(
            campaign_id=campaign.id,
            questionnaire=questionnaire.name,
            questionnaire_version=questionnaire.version,
            questionnaire_hash=questionnaire.content_hash,
            channel=Channel.paper.value if paper else Channel.qr.value,
            device_hash=None if paper else secrets.token_hex(32),
            serial=f"P{index + 1:04d}" if paper else None,
            started_at=None if paper else item.started_at.replace(tzinfo=timezone.utc),
            finished_at=item.finished_at.replace(tzinfo=timezone.utc),
            answers=item.answers,
            complete=item.complete,
            status=ResponseStatus.valid.value if item.complete else ResponseStatus.excluded.value,
            status_reason=None if item.complete else "incomplete",
        ))
    session.commit()

    for username, role, password, name in DEMO_USERS:
        user = session.exec(select(User).where(User.username == username)).first()
        if user is None:
            user = create_user(session, username, password, role, name)
        grant_circle(session, user, circle)
    return DemoResult(circle, campaign, True, len(synthetic))
