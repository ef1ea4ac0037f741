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
#: The demo's assessment firm (机构设置), printed as 评价机构; its assessor signs as 项目负责人.
DEMO_FIRM = "示例评价咨询有限公司"
DEMO_ASSESSOR_NAME = "张明（评估员）"
DEMO_USERS = [("assessor", "assessor", "demo-assessor", DEMO_ASSESSOR_NAME), ("admin", "admin", "demo-admin", "平台管理员"),
              ("officer", "officer", "demo-officer", "幸福里社区 王干事")]


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
                          "childcare_services": ["full_time_care", "day_care", "hourly_care", "nutrition_meals"]},
    "chain_share": {"chain_outlets": 56, "total_outlets": 214},
    "promotion": {"events": 5},
    "digital": {"qr_payment_main_venues": True, "smart_terminal_types": ["parcel_locker", "vending", "self_service_24h"], "listed_share": 0.55,
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
    # Round 1 was issued two years ago: numbered and frozen like any issued round.
    from ..reporting.operations import issue_evaluation

    issue_evaluation(session, evaluation, user_id=None, issuer_name=DEMO_ASSESSOR_NAME,
                     issued_on=evaluated_on + timedelta(days=10))


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

    from ..appsettings.operations import ASSESSOR_FIRM, assessor_firm, set_setting

    if not assessor_firm(session):   # a firm name the admin already set is kept
        set_setting(session, ASSESSOR_FIRM, DEMO_FIRM)
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
    seed_community(session, circle)
    seed_places(session, circle)
    seed_merchants(session, circle)
    return DemoResult(circle, campaign, True, count)


#: The community's project list in the demo: one project finished between the two surveys
#: (so the demand list shows the round-to-round change), one under way, one planned, and one
#: demand the community decided not to meet.
DEMO_PROJECTS = [
    {"title": "引进社区洗衣店", "type_code": "laundry", "action": "在幸福里社区沿街商铺引进一家洗衣店，提供上门收送。",
     "responsible": "幸福里社区居委会", "planned_days": -400,
     "notes": [(-560, "与两家连锁洗衣品牌洽谈，选定一家。", "in_progress"), (-420, "洗衣店开业，试营业一个月。", "done")]},
    {"title": "设置再生资源回收点", "type_code": "recycling", "action": "在和平社区东门设固定回收亭，每周三、六开放。",
     "responsible": "和平社区居委会、街道城管科", "planned_days": 60,
     "notes": [(-40, "选址已确定，回收企业在办理备案。", "in_progress")]},
    {"title": "社区书房", "type_code": "bookstore", "action": "利用新桥社区党群服务中心二楼，与区图书馆合作开设社区书房。",
     "responsible": "新桥社区居委会", "planned_days": 180, "notes": []},
]
DEMO_DECLINED = {"pet_service": "住宅楼底商开宠物店噪音、卫生投诉多，物业和业委会不同意；引导居民使用 1 公里外的宠物医院。"}


def seed_community(session, circle) -> None:
    """Demo projects, progress notes and a declined demand, written through the community
    operations so that they obey the same rules as the pages."""
    from ..community.operations import add_note, create_project, decline_demand
    from ..evaluation.registry import current_rules
    from ..models import CommunityProject

    if session.exec(select(CommunityProject).where(CommunityProject.circle_id == circle.id)).first():
        return
    officer = session.exec(select(User).where(User.username == "officer")).first()
    user_id = officer.id if officer else None
    known = {entry.code for entry in current_rules("national").catalogue.entries}
    today = utcnow().date()
    for spec in DEMO_PROJECTS:
        project = create_project(session, circle.id, known, {
            "title": spec["title"], "type_code": spec["type_code"], "demands": [spec["type_code"]],
            "action": spec["action"], "responsible": spec["responsible"],
            "planned_on": today + timedelta(days=spec["planned_days"]), "status": "planned",
        }, user_id, today)
        for days, text, status in spec["notes"]:
            add_note(session, circle.id, project, today + timedelta(days=days), text, status, user_id)
    for code, reason in DEMO_DECLINED.items():
        decline_demand(session, circle.id, code, reason, user_id)


def seed_places(session, circle) -> None:
    """The communities' representative points (幸福里 has two: its centre and its north block)."""
    from ..geo import GeoPoint
    from ..locations.operations import add_point
    from ..merchants.synthetic import COMMUNITY_POINTS, ground_point
    from ..models import Community

    for community in session.exec(select(Community).where(Community.circle_id == circle.id)):
        for label, (x, y) in COMMUNITY_POINTS.get(community.name, []):
            add_point(session, community, GeoPoint(*ground_point(x, y)), label)


def seed_merchants(session, circle, count: int = 118):
    """A merchant campaign with ~120 answers (a fifth on paper) building the circle's outlet
    inventory, two of them repeat answers of the same shop for the assessor to merge. Skipped
    when the app has no merchant questionnaire (e.g. an app configured with other files)."""
    from ..merchants.synthetic import generate as generate_merchants
    from ..questionnaire import validate_answers
    from ..questionnaire.registry import UnknownQuestionnaire, current_questionnaire

    try:
        questionnaire = current_questionnaire("merchant")
    except UnknownQuestionnaire:
        return None
    opened = utcnow() - timedelta(days=18)
    campaign = open_campaign(session, circle, questionnaire, opens_at=opened, closes_at=opened + timedelta(days=45))
    items = []
    for index, (channel, answers) in enumerate(generate_merchants(count)):
        clean, errors = validate_answers(questionnaire, answers)
        if errors:  # pragma: no cover - the generator writes valid answers; never store a bad one
            continue
        finished = opened + timedelta(hours=3 + index * 2, minutes=index % 50)
        paper = channel == Channel.paper.value
        items.append(NewResponse(
            answers=clean, channel=channel, complete=True,
            started_at=None if paper else finished - timedelta(seconds=150 + (index * 37) % 240),
            finished_at=finished, device_hash=None if paper else secrets.token_hex(32),
            serial=f"M{index + 1:04d}" if paper else None,
        ))
    record_many(session, campaign, questionnaire, items)
    return campaign
