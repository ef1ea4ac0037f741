"""Reads for the assessor's review list: what is excluded or flagged, and why."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, or_
from sqlmodel import Session, select

from ..models.response import SPEED_RULE_CHANNELS
from ..models import Response, ResponseReview

REVIEW_LIMIT = 300


@dataclass(frozen=True)
class ReviewItem:
    response: Response
    reason: str  # an exclusion reason, "too_fast", or "flagged" (straight-lining, still counted)
    counted: bool


def review_items(session: Session, campaign_id: int, cutoff_seconds: float | None,
                 limit: int = REVIEW_LIMIT) -> tuple[list[ReviewItem], bool]:
    """Excluded, too-fast and flagged responses, oldest first; True when cut at ``limit``."""
    too_fast = and_(Response.channel.in_(SPEED_RULE_CHANNELS), Response.exclusion.is_(None), Response.speed_exempt.is_(False),
                    Response.duration_seconds < cutoff_seconds) if cutoff_seconds is not None else False
    rows = session.exec(
        select(Response).where(
            Response.campaign_id == campaign_id,
            or_(Response.exclusion.is_not(None), Response.straightlining.is_(True), too_fast),
        ).order_by(Response.id).limit(limit + 1)
    ).all()
    items = []
    for response in rows[:limit]:
        if response.exclusion is not None:
            items.append(ReviewItem(response, response.exclusion, False))
        elif (cutoff_seconds is not None and response.channel in SPEED_RULE_CHANNELS and not response.speed_exempt
              and response.duration_seconds is not None and response.duration_seconds < cutoff_seconds):
            items.append(ReviewItem(response, "too_fast", False))
        else:
            items.append(ReviewItem(response, "flagged", True))
    return items, len(rows) > limit


def review_history(session: Session, response_ids: list[int]) -> dict[int, list[ResponseReview]]:
    history: dict[int, list[ResponseReview]] = {}
    if not response_ids:
        return history
    for review in session.exec(select(ResponseReview).where(ResponseReview.response_id.in_(response_ids))
                               .order_by(ResponseReview.id)):
        history.setdefault(review.response_id, []).append(review)
    return history
