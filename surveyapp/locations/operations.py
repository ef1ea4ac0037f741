"""Writes: communities' representative points. Each write is audited in its transaction."""
from __future__ import annotations

from sqlmodel import Session

from ..audit.operations import record
from ..geo import GeoPoint
from ..models import Community, CommunityPoint


class PointError(ValueError):
    """A point that cannot be saved; the message is for the staff member."""


def add_point(session: Session, community: Community, point: GeoPoint, label: str = "") -> CommunityPoint:
    label = (label or "").strip()
    if len(label) > 100:
        raise PointError("名称不超过100字")
    row = CommunityPoint(circle_id=community.circle_id, community_id=community.id, label=label,
                         latitude=point.lat, longitude=point.lon)
    session.add(row)
    session.flush()
    record(session, "community_point.add", summary=f"为“{community.name}”添加了代表点{('“' + label + '”') if label else ''}",
           target_type="community_point", target_id=row.id, circle_id=community.circle_id,
           after={"community": community.name, "label": label, "latitude": point.lat, "longitude": point.lon})
    session.commit()
    return row


def delete_point(session: Session, point: CommunityPoint) -> None:
    community = session.get(Community, point.community_id)
    record(session, "community_point.delete", summary=f"删除了“{community.name if community else ''}”的一个代表点",
           target_type="community_point", target_id=point.id, circle_id=point.circle_id,
           before={"community": community.name if community else None, "label": point.label,
                   "latitude": point.latitude, "longitude": point.longitude})
    session.delete(point)
    session.commit()
