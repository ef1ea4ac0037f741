"""Writes for circles: registering one, editing one, and storing a checked city list.

Every write is audited in the same transaction as the change (``circle.create``,
``circle.update``). Editing a circle never touches what was issued: an issued round reads its
population from its frozen inputs (``FrozenEvaluation``) and an issued report is stored byte
for byte, so the new figures apply to previews and to rounds not yet issued.
"""
from __future__ import annotations

from sqlmodel import Session, select

from ..audit.operations import record as audit
from ..models import Circle, CircleAccess, CircleCreate, Community, CommunityPoint

#: The fields of a circle an audit entry shows before and after.
AUDITED_FIELDS = ("name", "population", "city_tier", "age_structure", "address", "notes")


class CircleFieldError(ValueError):
    """A change refused because of one field (``field``: the form field to show it next to)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


#: A circle's name is unique across the installation, whoever registered it: the city overview,
#: the bureau's 汇总表 and the reports name circles, and two "东湖生活圈" there cannot be told
#: apart. The message does not say whose circle it is; that one exists is all it tells.
NAME_TAKEN = "已有同名的生活圈（可能是其他机构登记的），请换一个名称，例如加上区县或街道名"


def _check_name_free(session: Session, name: str, circle_id: int | None = None) -> None:
    query = select(Circle.id).where(Circle.name == name)
    if circle_id is not None:
        query = query.where(Circle.id != circle_id)
    if session.exec(query).first() is not None:
        raise CircleFieldError("name", NAME_TAKEN)


def _check_unique_communities(data: CircleCreate) -> None:
    names = [c.name for c in data.communities]
    if len(set(names)) != len(names):
        raise CircleFieldError("communities", "社区名称重复")


def _state(circle: Circle, communities) -> dict:
    state = {name: getattr(circle, name) for name in AUDITED_FIELDS}
    state["communities"] = {c.name: c.population for c in communities}
    return state


def add_circle(session: Session, data: CircleCreate, *, grant_to=None) -> Circle:
    """Add a circle with its communities to ``session`` (audited), without committing; the
    staff member ``grant_to`` (an assessor creating it) may see it from now on. The caller has
    checked the name is free (create_circle here; a city list against every name at once)."""
    _check_unique_communities(data)
    circle = Circle(name=data.name, population=data.population, city_tier=data.city_tier,
                    age_structure=data.age_structure, address=data.address, notes=data.notes)
    session.add(circle)
    session.flush()
    communities = [Community(circle_id=circle.id, name=c.name, population=c.population) for c in data.communities]
    session.add_all(communities)
    if grant_to is not None and not grant_to.is_admin:
        session.add(CircleAccess(user_id=grant_to.id, circle_id=circle.id))
    audit(session, "circle.create", summary=f"登记生活圈 {circle.name}（服务人口 {circle.population}）",
          target_type="circle", target_id=circle.id, circle_id=circle.id, before=None,
          after=_state(circle, communities))
    return circle


def create_circle(session: Session, data: CircleCreate, *, grant_to=None) -> Circle:
    """Register a circle with its communities in one transaction.

    When communities are given, their populations are kept as entered; a total that
    differs from the circle's population is allowed (community figures are often from
    another year) but the caller is told through :func:`population_gap`.
    """
    try:
        _check_name_free(session, data.name)
        circle = add_circle(session, data, grant_to=grant_to)
    except CircleFieldError:
        session.rollback()
        raise
    session.commit()
    return circle


def update_circle(session: Session, circle: Circle, data: CircleCreate,
                  community_ids: list[int | None] | None = None) -> Circle:
    """Change a circle and its communities (audited), committing once.

    ``data.communities`` is the new list; ``community_ids`` gives, position by position, the
    id of the existing community each entry edits (None: a new one). Without ids, communities
    are matched by name. An existing community left out is removed, unless it still has
    representative points (the coverage is measured from them): that is refused.
    """
    _check_name_free(session, data.name, circle.id)
    _check_unique_communities(data)
    existing = list(session.exec(select(Community).where(Community.circle_id == circle.id).order_by(Community.id)))
    before = _state(circle, existing)
    by_id = {c.id: c for c in existing}
    by_name = {c.name: c for c in existing}
    kept: list[Community] = []
    for index, entry in enumerate(data.communities):
        wanted_id = community_ids[index] if community_ids is not None and index < len(community_ids) else None
        community = by_id.get(wanted_id) if wanted_id is not None else by_name.get(entry.name)
        if community is None or community in kept:
            community = Community(circle_id=circle.id, name=entry.name, population=entry.population)
        kept.append(community)
    gone = [c for c in existing if c not in kept]
    for community in gone:
        has_points = session.exec(select(CommunityPoint.id).where(CommunityPoint.community_id == community.id)).first()
        if has_points is not None:
            raise CircleFieldError("communities", f"社区“{community.name}”已有社区代表点，不能删除："
                                                  "请先在社区代表点页面删除它的点")
    for community in gone:
        session.delete(community)
    session.flush()  # a removed name may be taken again below
    for community, entry in zip(kept, data.communities):
        community.name, community.population = entry.name, entry.population
        session.add(community)
    for name in ("name", "population", "city_tier", "age_structure", "address", "notes"):
        setattr(circle, name, getattr(data, name))
    session.add(circle)
    session.flush()
    after = _state(circle, kept)
    if after != before:
        audit(session, "circle.update", summary=f"修改生活圈 {circle.name}", target_type="circle",
              target_id=circle.id, circle_id=circle.id, before=before, after=after)
    session.commit()
    return circle


def population_gap(data: CircleCreate) -> int:
    """Circle population minus the sum of its communities (0 when none are given)."""
    if not data.communities:
        return 0
    return data.population - sum(c.population for c in data.communities)


def store_city_list(session: Session, circles: list[CircleCreate], *, grant_to=None, file_name: str = "") -> list[Circle]:
    """Register every circle of a checked city list in one transaction: all of them, or (on
    any error) none. Each circle gets its ``circle.create`` entry, the file one ``circle.import``.
    ``circles`` come from citylist.check_city_list, which has checked every name against the
    names taken (queries.circle_names) and against each other: no query per row here."""
    try:
        created = [add_circle(session, data, grant_to=grant_to) for data in circles]
        audit(session, "circle.import", summary=f"导入城市生活圈清单 {file_name}：{len(created)} 个生活圈",
              target_type="circle_list", target_id=None, circle_id=created[0].id if created else None,
              before=None, after={"file": file_name, "circles": [c.id for c in created]})
        session.commit()
    except Exception:
        session.rollback()
        raise
    return created
