"""Reads for campaigns, always scoped to what the signed-in user may see."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func
from sqlmodel import Session, select

from ..models import Campaign, Circle, Response


@dataclass(frozen=True)
class CampaignRow:
    campaign: Campaign
    circle: Circle
    responses: int
    valid: int


def campaign_rows(session: Session, circle_ids: list[int] | None) -> list[CampaignRow]:
    """Campaigns with their response counts; ``circle_ids`` None means all circles."""
    counts = (
        select(
            Response.campaign_id,
            func.count().label("n"),
            func.sum(case((Response.exclusion.is_(None), 1), else_=0)).label("valid"),
        )
        .group_by(Response.campaign_id)
        .subquery()
    )
    query = (
        select(Campaign, Circle, counts.c.n, counts.c.valid)
        .join(Circle, Circle.id == Campaign.circle_id)
        .outerjoin(counts, counts.c.campaign_id == Campaign.id)
        .order_by(Campaign.id.desc())
    )
    if circle_ids is not None:
        query = query.where(Campaign.circle_id.in_(circle_ids))
    return [
        CampaignRow(campaign, circle, int(n or 0), int(valid or 0))
        for campaign, circle, n, valid in session.exec(query)
    ]


def campaign_by_token(session: Session, token: str) -> Campaign | None:
    if not token or len(token) > 64:
        return None
    return session.exec(select(Campaign).where(Campaign.token == token)).first()


def visible_campaign(session: Session, campaign_id: int, circle_ids: list[int] | None) -> Campaign | None:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None or (circle_ids is not None and campaign.circle_id not in circle_ids):
        return None
    return campaign
