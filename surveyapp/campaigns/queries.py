"""Reads for campaigns, always scoped to what the signed-in user may see."""
from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from ..models import Campaign, Circle


@dataclass(frozen=True)
class CampaignRow:
    campaign: Campaign
    circle: Circle


def campaign_rows(session: Session, circle_ids: list[int] | None) -> list[CampaignRow]:
    """Campaigns with their circles, newest first; ``circle_ids`` None means all circles.
    (Counts come from the summary's tallies, not from counting rows here.)"""
    query = select(Campaign, Circle).join(Circle, Circle.id == Campaign.circle_id).order_by(Campaign.id.desc())
    if circle_ids is not None:
        query = query.where(Campaign.circle_id.in_(circle_ids))
    return [CampaignRow(campaign, circle) for campaign, circle in session.exec(query)]


def campaign_by_token(session: Session, token: str) -> Campaign | None:
    if not token or len(token) > 64:
        return None
    return session.exec(select(Campaign).where(Campaign.token == token)).first()
