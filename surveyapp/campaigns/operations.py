"""Writes for campaigns."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlmodel import Session

from ..audit.operations import record as audit, snapshot
from ..models import Campaign, CampaignStatus, Circle
from ..models.campaign import MAX_ANSWERS_PER_DEVICE
from ..models.timeutil import utcnow
from ..questionnaire import Questionnaire
from ..questionnaire.kinds import survey_kind
from ..questionnaire.registry import freeze

TOKEN_BYTES = 24  # 192 bits, above the 128-bit floor


class CampaignError(ValueError):
    pass


def open_campaign(
    session: Session,
    circle: Circle,
    questionnaire: Questionnaire,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    days: int = 30,
    answers_per_device: int | None = None,
    commit: bool = True,
) -> Campaign:
    """Open a campaign on the questionnaire's current text (frozen by hash), audited. Without
    ``answers_per_device`` the survey kind's default applies (residents 3, merchants 5)."""
    opens_at = opens_at or utcnow()
    closes_at = closes_at or (opens_at + timedelta(days=days))
    if closes_at <= opens_at:
        raise CampaignError("结束时间必须晚于开始时间")
    if answers_per_device is None:
        answers_per_device = survey_kind(questionnaire.kind).answers_per_device
    _check_answers_per_device(answers_per_device)
    freeze(session, questionnaire)
    campaign = Campaign(
        circle_id=circle.id,
        questionnaire=questionnaire.name,
        kind=questionnaire.kind,
        questionnaire_version=questionnaire.version,
        questionnaire_hash=questionnaire.content_hash,
        token=secrets.token_urlsafe(TOKEN_BYTES),
        opens_at=opens_at,
        closes_at=closes_at,
        status=CampaignStatus.open.value,
        answers_per_device=answers_per_device,
    )
    session.add(campaign)
    session.flush()
    audit(session, "campaign.open", summary=f"为 {circle.name} 开启{survey_kind(campaign.kind).label} #{campaign.id}",
          target_type="campaign", target_id=campaign.id, circle_id=circle.id, before=None,
          after=snapshot(campaign, SCHEDULE_FIELDS + ("questionnaire", "questionnaire_version")))
    if commit:
        session.commit()
    return campaign


#: What a change of dates or state shows before and after.
SCHEDULE_FIELDS = ("opens_at", "closes_at", "status")


def open_campaigns(session: Session, circles: list[Circle], questionnaire: Questionnaire,
                   opens_at: datetime | None = None, closes_at: datetime | None = None, days: int = 30,
                   answers_per_device: int | None = None) -> list[Campaign]:
    """Open the same survey for many circles at once, in one transaction: all or none."""
    if not circles:
        raise CampaignError("请至少选择一个生活圈")
    try:
        campaigns = [open_campaign(session, circle, questionnaire, opens_at, closes_at, days,
                                   answers_per_device=answers_per_device, commit=False) for circle in circles]
        session.commit()
    except Exception:
        session.rollback()
        raise
    return campaigns


def _schedule_entry(session: Session, campaign: Campaign, action: str, summary: str, before: dict) -> None:
    audit(session, action, summary=summary, target_type="campaign", target_id=campaign.id,
          circle_id=campaign.circle_id, before=before, after=snapshot(campaign, SCHEDULE_FIELDS))


def set_dates(session: Session, campaign: Campaign, opens_at: datetime, closes_at: datetime) -> Campaign:
    """Set, extend or shorten a survey's dates (audited). A closing time in the past ends it
    now; answers already given stay."""
    if closes_at <= opens_at:
        raise CampaignError("结束日期必须晚于开始日期")
    before = snapshot(campaign, SCHEDULE_FIELDS)
    if (campaign.opens_at, campaign.closes_at) == (opens_at, closes_at):
        return campaign
    campaign.opens_at, campaign.closes_at = opens_at, closes_at
    session.add(campaign)
    _schedule_entry(session, campaign, "campaign.dates", f"修改问卷调查 #{campaign.id} 的起止日期", before)
    session.commit()
    return campaign


def close_campaign(session: Session, campaign: Campaign, now: datetime | None = None) -> Campaign:
    """End a survey early (audited): the public link answers 已结束 from now on."""
    if campaign.state(now or utcnow()) == "closed":
        raise CampaignError("这项调查已经结束")
    before = snapshot(campaign, SCHEDULE_FIELDS)
    campaign.status = CampaignStatus.closed.value
    session.add(campaign)
    _schedule_entry(session, campaign, "campaign.close", f"提前结束问卷调查 #{campaign.id}", before)
    session.commit()
    return campaign


def reopen_campaign(session: Session, campaign: Campaign, closes_at: datetime | None = None,
                    now: datetime | None = None) -> Campaign:
    """Open an ended survey again (audited), until ``closes_at`` (needed when its closing
    date has passed)."""
    now = now or utcnow()
    if campaign.state(now) == "open":
        raise CampaignError("这项调查正在进行，不需要重新开启")
    new_close = closes_at or campaign.closes_at
    if new_close is None or new_close <= now:
        raise CampaignError("原结束日期已过，请填写新的结束日期（今天以后）")
    if new_close <= campaign.opens_at:
        raise CampaignError("结束日期必须晚于开始日期")
    before = snapshot(campaign, SCHEDULE_FIELDS)
    campaign.status = CampaignStatus.open.value
    campaign.closes_at = new_close
    session.add(campaign)
    _schedule_entry(session, campaign, "campaign.reopen", f"重新开启问卷调查 #{campaign.id}", before)
    session.commit()
    return campaign


def _check_answers_per_device(value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_ANSWERS_PER_DEVICE:
        raise CampaignError(f"每部手机可填写的份数须在 1 到 {MAX_ANSWERS_PER_DEVICE} 之间")


def set_answers_per_device(session: Session, campaign: Campaign, value: int) -> Campaign:
    """Change how many answers one device may give (the shared phone), audited."""
    _check_answers_per_device(value)
    before = campaign.answers_per_device
    if before == value:
        return campaign
    campaign.answers_per_device = value
    session.add(campaign)
    audit(session, "campaign.device_rule", summary=f"问卷调查 #{campaign.id} 每部手机可填写份数由 {before} 改为 {value}",
          target_type="campaign", target_id=campaign.id, circle_id=campaign.circle_id,
          before={"answers_per_device": before}, after={"answers_per_device": value})
    session.commit()
    return campaign
