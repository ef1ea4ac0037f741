"""Reads for circles."""
from __future__ import annotations

from sqlmodel import Session, select

from ..models import Circle, Community


def communities_of(session: Session, circle_id: int) -> list[Community]:
    return list(session.exec(select(Community).where(Community.circle_id == circle_id).order_by(Community.id)))


def community_names(session: Session, circle_id: int) -> list[str]:
    return [c.name for c in communities_of(session, circle_id)]


def get_circle(session: Session, circle_id: int) -> Circle | None:
    return session.get(Circle, circle_id)
