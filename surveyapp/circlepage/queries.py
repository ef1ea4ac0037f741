"""What the public page shows, and only that.

Everything here is built from an explicit list of an outlet's public facts (:data:`PUBLIC_FACTS`)
— never from the outlet row as a whole — so a new column (a difficulty, an answer, a phone) can
never reach the page by accident. Only open outlets whose merchant said yes to
``public_listing`` appear; communities appear by name and point only.
"""
from __future__ import annotations

from sqlmodel import Session

from ..locations import queries as locations
from ..merchants.queries import labels as outlet_labels
from ..models import Circle, OutletStatus

#: The outlet facts a resident may see.
PUBLIC_FACTS = ("name", "address", "type_code", "is_24h", "opening_hour", "closing_hour", "addon_services",
                "sells_breakfast", "home_delivery", "instant_retail", "repair_categories", "latitude", "longitude")


def _hours(outlet) -> str:
    if outlet.is_24h:
        return "24小时营业"
    if outlet.opening_hour is not None and outlet.closing_hour is not None:
        return f"{outlet.opening_hour}:00–{outlet.closing_hour}:00"
    return ""


def public_outlet(outlet, labels: dict) -> dict:
    facts = {name: getattr(outlet, name) for name in PUBLIC_FACTS}
    services = [labels.get("addon_services", {}).get(code, code) for code in facts["addon_services"]]
    if facts["sells_breakfast"] and outlet.type_code != "breakfast":
        services.append("供应早餐")
    if facts["home_delivery"]:
        services.append("送货上门")
    if facts["instant_retail"]:
        services.append("可在外卖平台下单")
    repairs = [labels.get("repair_categories", {}).get(code, code) for code in facts["repair_categories"]]
    return {"name": facts["name"], "address": facts["address"], "hours": _hours(outlet), "is_24h": facts["is_24h"],
            "services": services, "repairs": repairs, "located": facts["latitude"] is not None}


def public_page(session: Session, circle: Circle) -> dict:
    """The page's content: outlets by type in catalogue order, the map's points, the walk radius."""
    labels = outlet_labels()
    found = locations.circle_coverage(session, circle.id)
    outlets = [o for o in locations.mapped_outlets(session, circle.id)
               if o.status == OutletStatus.open.value and o.public_listing]
    order = list(labels["types"])
    groups: dict[str, list] = {}
    for outlet in sorted(outlets, key=lambda o: (order.index(o.type_code) if o.type_code in order else len(order),
                                                 o.name, o.id)):
        groups.setdefault(outlet.type_code, []).append(public_outlet(outlet, labels))
    type_groups = {} if found is None else found["groups"]
    map_outlets = [{"name": o.name, "lat": o.latitude, "lon": o.longitude, "type_code": o.type_code,
                    "group": type_groups.get(o.type_code, "basic")} for o in outlets if o.located]
    communities = [] if found is None else [
        {"name": s.name, "points": [{"lat": p.lat, "lon": p.lon} for p in s.points]} for s in found["communities"]]
    return {
        "types": [{"code": code, "label": labels["types"].get(code, code), "outlets": rows}
                  for code, rows in groups.items()],
        "count": len(outlets),
        "map_outlets": map_outlets,
        "communities": communities,
        "radius_m": None if found is None else found["radius_m"],
        "minutes": None if found is None else float(found["settings"].max_minutes),
    }
