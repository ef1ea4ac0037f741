"""Writes for campaigns."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlmodel import Session

from ..audit.operations import record as audit
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
) -> Campaign:
    """Open a campaign on the questionnaire's current text (frozen by hash). Without
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
    session.commit()
    return campaign


def close_campaign(session: Session, campaign: Campaign) -> None:
    campaign.status = CampaignStatus.closed.value
    session.add(campaign)
    session.commit()


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
