"""Reads for interviewers: the campaigns they may interview for, and what they took today."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from ..campaigns.queries import CampaignRow, campaign_rows
from ..models import Channel, Response


def open_campaigns(session: Session, circle_ids: list[int] | None, now: datetime) -> list[CampaignRow]:
    return [row for row in campaign_rows(session, circle_ids) if row.campaign.state(now) == "open"]


def answers_taken(session: Session, campaign_id: int, interviewer_id: int, since: datetime) -> int:
    """Interviews this interviewer stored in this campaign since ``since``."""
    return session.exec(
        select(func.count()).select_from(Response).where(
            Response.campaign_id == campaign_id, Response.interviewer_id == interviewer_id,
            Response.channel == Channel.interview.value, Response.created_at >= since)
    ).one()
