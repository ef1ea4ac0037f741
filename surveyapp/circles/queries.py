"""Reads for circles."""
from __future__ import annotations

from sqlalchemy import bindparam
from sqlmodel import Session, select

from ..models import Circle, Community


def communities_of(session: Session, circle_id: int) -> list[Community]:
    return list(session.exec(select(Community).where(Community.circle_id == circle_id).order_by(Community.id)))


_NAMES = select(Community.name).where(Community.circle_id == bindparam("circle_id")).order_by(Community.id)


def community_names(session: Session, circle_id: int) -> list[str]:
    """Names only, by a statement built once (every page of a resident's answer reads them)."""
    return list(session.exec(_NAMES, params={"circle_id": circle_id}))


def visible_circles(session: Session, user) -> list[Circle]:
    """The circles ``user`` may see (admins: all), in registration order."""
    from ..auth.users import visible_circle_ids

    ids = visible_circle_ids(session, user)
    query = select(Circle).order_by(Circle.id)
    if ids is not None:
        query = query.where(Circle.id.in_(ids))
    return list(session.exec(query))


def get_circle(session: Session, circle_id: int) -> Circle | None:
    return session.get(Circle, circle_id)


def community_choices(session: Session, circle_id: int) -> list[str]:
    """What a respondent can answer to "which community do you live in": the circle's
    communities, then "none of these" (which makes the response ineligible)."""
    from ..responses.quality import OUTSIDE_COMMUNITY

    return [*community_names(session, circle_id), OUTSIDE_COMMUNITY]
