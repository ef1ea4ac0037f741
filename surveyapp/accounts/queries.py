"""Reads for the account pages."""
from __future__ import annotations

from sqlmodel import Session, select

from ..models import Circle, CircleAccess, User


def accounts(session: Session) -> list[dict]:
    """Every account with the names of its circles, admins first, then by username."""
    names = dict(session.exec(select(Circle.id, Circle.name)).all())
    granted: dict[int, list[str]] = {}
    for user_id, circle_id in session.exec(select(CircleAccess.user_id, CircleAccess.circle_id)):
        granted.setdefault(user_id, []).append(names.get(circle_id, str(circle_id)))
    order = {"admin": 0, "assessor": 1}
    users = sorted(session.exec(select(User)).all(), key=lambda u: (not u.active, order.get(u.role, 2), u.username))
    return [{"user": u, "circles": sorted(granted.get(u.id, []))} for u in users]


def circle_choices(session: Session) -> list:
    from wtforms.fields.choices import SelectChoice

    return [SelectChoice(c.id, c.name) for c in session.exec(select(Circle).order_by(Circle.name)).all()]
