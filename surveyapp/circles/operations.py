"""Writes for circles."""
from __future__ import annotations

from sqlmodel import Session

from ..models import Circle, CircleCreate, Community


def create_circle(session: Session, data: CircleCreate) -> Circle:
    """Register a circle with its communities in one transaction.

    When communities are given, their populations are kept as entered; a total that
    differs from the circle's population is allowed (community figures are often from
    another year) but the caller is told through :func:`population_gap`.
    """
    names = [c.name for c in data.communities]
    if len(set(names)) != len(names):
        raise ValueError("社区名称重复")
    circle = Circle(name=data.name, population=data.population, city_tier=data.city_tier,
                    age_structure=data.age_structure)
    session.add(circle)
    session.flush()
    for community in data.communities:
        session.add(Community(circle_id=circle.id, name=community.name, population=community.population))
    session.commit()
    return circle


def population_gap(data: CircleCreate) -> int:
    """Circle population minus the sum of its communities (0 when none are given)."""
    if not data.communities:
        return 0
    return data.population - sum(c.population for c in data.communities)
