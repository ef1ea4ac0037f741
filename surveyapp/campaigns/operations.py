"""Writes for campaigns."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlmodel import Session

from ..models import Campaign, CampaignStatus, Circle
from ..models.timeutil import utcnow
from ..questionnaire import Questionnaire
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
) -> Campaign:
    """Open a campaign on the questionnaire's current text (frozen by hash)."""
    opens_at = opens_at or utcnow()
    closes_at = closes_at or (opens_at + timedelta(days=days))
    if closes_at <= opens_at:
        raise CampaignError("结束时间必须晚于开始时间")
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
    )
    session.add(campaign)
    session.commit()
    return campaign


def close_campaign(session: Session, campaign: Campaign) -> None:
    campaign.status = CampaignStatus.closed.value
    session.add(campaign)
    session.commit()
