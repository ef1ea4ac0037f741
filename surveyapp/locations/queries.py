"""Reads: community points, the circle's coverage table and the data its maps are drawn from."""
from __future__ import annotations

from fractions import Fraction

from flask import current_app
from sqlmodel import Session, select

from ..evaluation.registry import UnknownRules, current_rules, rules_by_hash
from ..evaluation.rules import RulesError
from ..geo import CommunitySite, GeoPoint, OutletSite, coverage_table, to_display
from ..models import Community, CommunityPoint, Evaluation, Outlet, OutletStatus


def communities_with_points(session: Session, circle_id: int) -> list[tuple[Community, list[CommunityPoint]]]:
    communities = session.exec(select(Community).where(Community.circle_id == circle_id)
                               .order_by(Community.id)).all()
    points: dict[int, list[CommunityPoint]] = {c.id: [] for c in communities}
    for point in session.exec(select(CommunityPoint).where(CommunityPoint.circle_id == circle_id)
                              .order_by(CommunityPoint.id)):
        points.setdefault(point.community_id, []).append(point)
    return [(c, points.get(c.id, [])) for c in communities]


def point_of_circle(session: Session, circle_id: int, point_id: int) -> CommunityPoint | None:
    point = session.get(CommunityPoint, point_id)
    return point if point is not None and point.circle_id == circle_id else None


def community_sites(session: Session, circle_id: int) -> list[CommunitySite]:
    return [CommunitySite(c.name, tuple(GeoPoint(p.latitude, p.longitude) for p in pts))
            for c, pts in communities_with_points(session, circle_id)]


def mapped_outlets(session: Session, circle_id: int) -> list[Outlet]:
    """The outlets a map and the coverage read: not merged, not awaiting a merge, by id."""
    return list(session.exec(select(Outlet).where(
        Outlet.circle_id == circle_id, Outlet.status != OutletStatus.merged.value,
        Outlet.possible_duplicate_of.is_(None)).order_by(Outlet.id)).all())


def outlet_sites(outlets: list[Outlet]) -> list[OutletSite]:
    return [OutletSite(o.id, o.name, o.type_code, GeoPoint(o.latitude, o.longitude) if o.located else None,
                       open=o.status == OutletStatus.open.value) for o in outlets]


def _default_rules():
    try:
        return current_rules(current_app.config["DEFAULT_RULES"])
    except (UnknownRules, RulesError):
        return None


def rules_for(session: Session, circle_id: int, evaluation: Evaluation | None = None):
    """The rules coverage follows: the evaluation's (or the circle's latest round's), else the
    default rules file; their ``coverage`` section, else the default file's."""
    if evaluation is None:
        evaluation = session.exec(select(Evaluation).where(Evaluation.circle_id == circle_id)
                                  .order_by(Evaluation.round.desc())).first()
    rules = rules_by_hash(session, evaluation.rules_hash) if evaluation is not None else _default_rules()
    if rules is None:
        return None, None
    coverage = rules.coverage
    if coverage is None:
        default = _default_rules()
        coverage = default.coverage if default is not None else None
    return rules, coverage


def circle_coverage(session: Session, circle_id: int, *, evaluation: Evaluation | None = None,
                    extra_types: tuple[str, ...] = ()) -> dict | None:
    """The coverage of the rules' required types (and ``extra_types``) × the circle's communities,
    with what a page or report shows beside it. None when no rules give coverage settings."""
    rules, settings = rules_for(session, circle_id, evaluation)
    if settings is None:
        return None
    labels = {e.code: e.label for e in rules.catalogue.entries}
    codes = list(rules.required_types) + [c for c in extra_types if c not in rules.required_types]
    outlets = mapped_outlets(session, circle_id)
    sites = community_sites(session, circle_id)
    walk = settings.walk()
    table = coverage_table(codes, sites, outlet_sites(outlets), walk, settings.max_minutes)
    return {"table": table, "settings": settings, "labels": labels, "required": list(rules.required_types),
            "circle_id": circle_id,
            "groups": {e.code: e.group for e in rules.catalogue.entries}, "communities": sites,
            "outlets": outlets, "radius_m": walk.radius_m(settings.max_minutes),
            "has_points": any(s.points for s in sites)}


def coverage_document(found: dict) -> dict:
    """The coverage as plain JSON-able values: what the report data and its fingerprint hold,
    and everything the report's SVG map is drawn from (so the same data draws the same bytes)."""
    table, settings = found["table"], found["settings"]
    required = set(found["required"])
    rows = []
    for item in table.types:
        rows.append({**item.to_dict(), "label": found["labels"].get(item.type_code, item.type_code),
                     "required": item.type_code in required})
    return {
        "label": settings.label, "trial": settings.trial, "method": table.method,
        "max_minutes": float(settings.max_minutes), "radius_m": round(found["radius_m"], 1),
        "communities": [{"name": s.name, "points": [{"lat": p.lat, "lon": p.lon} for p in s.points]}
                        for s in found["communities"]],
        "outlets": [{"id": o.id, "name": o.name, "type_code": o.type_code,
                     "group": found["groups"].get(o.type_code, "basic"), "lat": o.latitude, "lon": o.longitude}
                    for o in found["outlets"] if o.located and o.status == OutletStatus.open.value],
        "rows": rows,
    }


def presence_min_share(found: dict | None) -> Fraction | None:
    return None if found is None else found["settings"].presence_min_share


# --- map settings and the browser maps ----------------------------------------------------------

def map_settings() -> dict:
    """The tile settings every map reads (template global)."""
    config = current_app.config
    return {"tile_url": config.get("MAP_TILE_URL") or "", "attribution": config.get("MAP_TILE_ATTRIBUTION") or "",
            "datum": config.get("MAP_TILE_DATUM") or "wgs84"}


def _display(lat: float, lon: float) -> tuple[float, float]:
    shown = to_display(GeoPoint(lat, lon), map_settings()["datum"])
    return round(shown[0], 7), round(shown[1], 7)


def get_session_lazy():
    from ..db import get_session

    return get_session()


def map_centre(circle) -> dict | None:
    """Where a pin map opens (template global): the middle of the circle's community points (or
    of its located outlets), with the community points as landmarks, in the tiles' datum."""
    if circle is None:
        return None
    from ..db import get_session

    session = get_session()
    landmarks = []
    for community, points in communities_with_points(session, circle.id):
        for point in points:
            lat, lon = _display(point.latitude, point.longitude)
            landmarks.append({"name": community.name + (f" {point.label}" if point.label else ""), "lat": lat, "lon": lon})
    spots = [(p["lat"], p["lon"]) for p in landmarks]
    if not spots:
        spots = [_display(o.latitude, o.longitude) for o in mapped_outlets(session, circle.id) if o.located]
    if not spots:
        return None
    return {"lat": round(sum(s[0] for s in spots) / len(spots), 7), "lon": round(sum(s[1] for s in spots) / len(spots), 7),
            "points": landmarks}


def browser_map(found: dict, type_labels: dict[str, str]) -> dict:
    """The outlet page's Leaflet map data, in the tiles' datum."""
    outlets = []
    for o in found["outlets"]:
        if not o.located:
            continue
        lat, lon = _display(o.latitude, o.longitude)
        outlets.append({"id": o.id, "name": o.name, "type": type_labels.get(o.type_code, o.type_code),
                        "group": found["groups"].get(o.type_code, "basic"), "lat": lat, "lon": lon,
                        "open": o.status == OutletStatus.open.value})
    communities = []
    for community, points in communities_with_points(get_session_lazy(), found["circle_id"]):
        for point in points:
            lat, lon = _display(point.latitude, point.longitude)
            communities.append({"name": community.name + (f" {point.label}" if point.label else ""), "lat": lat, "lon": lon})
    return {"outlets": outlets, "communities": communities, "radius_m": round(found["radius_m"], 1),
            **map_settings()}


def far_reading(document: dict | None, type_code: str) -> str | None:
    """"有，但离某社区太远" for a type present in the circle (located, open) but beyond the walk
    limit of some community, naming them with their minutes; None otherwise."""
    if document is None:
        return None
    row = next((r for r in document["rows"] if r["type_code"] == type_code), None)
    if row is None or not row["far"]:
        return None
    parts = []
    for cell in row["cells"]:
        if cell["state"] == "far":
            minutes = "无法到达" if cell["minutes"] is None else f"{cell['minutes']:.1f} 分钟"
            parts.append(f"{cell['community']}（{minutes}）")
    return f"有，但离{'、'.join(parts)}太远（超过 {document['max_minutes']:g} 分钟）"
