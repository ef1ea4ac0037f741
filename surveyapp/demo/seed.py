"""Writes for the demo: one circle, an open resident campaign with ~650 responses, an earlier
campaign and its evaluation (round 1), and staff accounts."""
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


def _add_responses(session, campaign, questionnaire, count, incomplete, opened, seed, mood=0.0) -> int:
    synthetic = generate(questionnaire, DEMO_COMMUNITIES, count, seed=seed, incomplete=incomplete,
                         start=opened.replace(tzinfo=None), mood=mood)
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
    return len(items)


#: What the assessor found two years ago (round 1): a 基础型 (三星) circle.
PREVIOUS_MISSING = {"laundry", "recycling"}
PREVIOUS_QUALITY = ["specialty_dining", "fitness", "elderly_care", "coffee_tea", "pet_service", "community_lounge"]
PREVIOUS_FACTS = {
    "needs": {"lists_exist": True, "projects_carried_out": True},
    "store_breakfast": {"addon_services": 7, "stores_24h": 2, "breakfast_varieties": 7,
                        "breakfast_delivery": False, "retail_delivery": True},
    "market_repair": {"market_present": True, "market_area_sufficient": True,
                      "market_services": ["fair_scale", "price_display"], "repair_categories": 6},
    "elderly_childcare": {"elderly_site_present": True, "elderly_area_sufficient": True,
                          "elderly_services": ["meal_assistance", "day_care", "health_service"],
                          "childcare_site_present": True, "childcare_area_sufficient": False,
                          "childcare_services": ["nursery_care", "temporary_care"]},
    "chain_share": {"chain_outlets": 56, "total_outlets": 214},
    "promotion": {"events": 5},
    "digital": {"qr_payment_main_venues": True, "smart_terminal_types": ["parcel_locker"], "listed_share": 0.55,
                "resident_usage_share": 0.38, "platform_exists": True},
    "harmony": {"level": "mostly_met"},
}


def seed_previous_round(session, circle, campaign, evaluated_on) -> None:
    from ..evaluation.operations import open_evaluation, save_facts, save_inventory
    from ..evaluation.registry import current_rules

    rules = current_rules("national")
    evaluation = open_evaluation(session, circle, rules, campaign, evaluated_on=evaluated_on)
    present = [code for code in rules.required_types if code not in PREVIOUS_MISSING] + PREVIOUS_QUALITY
    save_inventory(session, evaluation, rules, {
        code: {"outlets": 1 + (index * 7) % 9, "evidence": "上一轮现场核查"} for index, code in enumerate(present)})
    for key, facts in PREVIOUS_FACTS.items():
        save_facts(session, evaluation, rules, key, facts, city_tier=circle.city_tier)


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
    count = _add_responses(session, campaign, questionnaire, responses, incomplete, opened, seed=20261126)

    # Two years ago: round 1, on an earlier survey where residents were a little less content.
    earlier = opened - timedelta(days=730)
    previous = open_campaign(session, circle, questionnaire, opens_at=earlier, closes_at=earlier + timedelta(days=30))
    _add_responses(session, previous, questionnaire, 640, 8, earlier, seed=20241120, mood=-0.15)
    seed_previous_round(session, circle, previous, (earlier + timedelta(days=35)).date())

    for username, role, password, name in DEMO_USERS:
        user = session.exec(select(User).where(User.username == username)).first()
        if user is None:
            user = create_user(session, username, password, role, name)
        grant_circle(session, user, circle)
    return DemoResult(circle, campaign, True, count)
