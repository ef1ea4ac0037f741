"""Writes of the outlet inventory: outlets from merchant answers, outlets the assessor adds,
closing, merging and separating.

:func:`outlets_from_responses` is called by the response write path
(``surveyapp.responses.operations``) inside the transaction that stores the responses, so a
merchant answer and the outlet it builds are stored together or not at all. It does nothing
for any questionnaire not named in :data:`MERCHANT_QUESTIONNAIRES`, so resident campaigns
behave exactly as before. The other functions commit.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, select

from ..audit.operations import record
from ..geo import GeoPoint, parse_geopoint
from ..models import Outlet, OutletSource, OutletStatus, Response
from ..models.outlet import LOCATION_FIELDS
from ..models.timeutil import utcnow
from .matching import match_key

#: Questionnaires whose answers build the outlet inventory (the file format stays unchanged:
#: the questionnaire is recognised by its name).
MERCHANT_QUESTIONNAIRES = ("merchant",)


class OutletError(ValueError):
    """An inventory change that cannot be made; the message is for the assessor."""


def _yes(value) -> bool | None:
    if value in (None, ""):
        return None
    return value == "yes"


def _codes(value) -> list[str]:
    return [code for code in (value or []) if code != "none"]


def _hour(value) -> int | None:
    """The hour of an opening time: ``"06:30"`` (a time question) or ``6`` (files before 2026.2)."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        return int(value.split(":")[0])
    return int(value)


def attributes_from_answers(answers: dict) -> dict:
    """The outlet's attributes read from a merchant answer (question names of
    questionnaires/merchant.yaml). Hidden questions are absent from clean answers and read
    as "no" / empty, which is what skip logic means: a repair shop is not asked about breakfast."""
    delivery = answers.get("delivery") or []
    is_24h = answers.get("open_24h") == "yes"
    return {
        "type_code": answers.get("outlet_type") or "",
        "floor_area": answers.get("floor_area"),
        "chain": answers.get("is_chain") == "yes",
        "brand": (answers.get("brand") or "")[:100],
        "is_24h": is_24h,
        "opening_hour": None if is_24h else _hour(answers.get("opening_hour")),
        "closing_hour": None if is_24h else _hour(answers.get("closing_hour")),
        "addon_services": _codes(answers.get("addon_services")),
        "sells_breakfast": answers.get("outlet_type") == "breakfast" or answers.get("sells_breakfast") == "yes",
        "breakfast_varieties": answers.get("breakfast_varieties"),
        "home_delivery": "home_delivery" in delivery,
        "instant_retail": "instant_retail" in delivery,
        "repair_categories": _codes(answers.get("repair_categories")),
        "market_facilities": _codes(answers.get("market_facilities")),
        "qr_payment": _yes(answers.get("qr_payment")),
        "accepts_cash": _yes(answers.get("accepts_cash")),
        "listed_on_platform": _yes(answers.get("listed_on_platform")) if answers.get("listed_on_platform") != "unknown"
        else None,
        "honest_pledge": _yes(answers.get("honest_pledge")),
        "promotion_events": list(answers.get("promotion_events") or []),
        "difficulties": list(answers.get("difficulties") or []),
        "support_wanted": list(answers.get("support_wanted") or []),
        "public_listing": _yes(answers.get("public_listing")),
    }


def location_from_answers(answers: dict) -> dict:
    """The outlet's location columns from a merchant answer's ``outlet_location`` (a clean
    geopoint: ``{"lat", "lon", "accuracy"}`` on WGS-84); empty when the merchant gave none."""
    value = answers.get("outlet_location")
    if not isinstance(value, dict) or value.get("lat") is None or value.get("lon") is None:
        return {}
    point = parse_geopoint(value)
    return {"latitude": point.lat, "longitude": point.lon, "location_accuracy": point.accuracy,
            "location_source": "merchant"}


def find_match(session: Session, circle_id: int, key: str) -> Outlet | None:
    """The inventory's own record of the shop with ``key``: the oldest outlet that is not
    itself a merged or pending duplicate."""
    return session.exec(
        select(Outlet).where(Outlet.circle_id == circle_id, Outlet.match_key == key,
                             Outlet.status != OutletStatus.merged.value, Outlet.possible_duplicate_of.is_(None))
        .order_by(Outlet.id)
    ).first()


def outlets_from_responses(session: Session, campaign, questionnaire, responses: Iterable[Response]) -> list[Outlet]:
    """One outlet per counted merchant response (flushed, not committed).

    A response whose name and address match an outlet already in the circle's inventory
    creates a second outlet marked as a possible duplicate of it: the assessor merges them
    (or says they differ), and until then only the first is counted. Responses excluded at
    write time (incomplete, duplicate paper serial) build nothing.
    """
    if questionnaire.name not in MERCHANT_QUESTIONNAIRES:
        return []
    made = []
    for response in responses:
        answers = response.answers or {}
        name = (answers.get("outlet_name") or "").strip()
        if response.exclusion is not None or not name or not answers.get("outlet_type"):
            continue
        address = (answers.get("outlet_address") or "").strip()
        key = match_key(name, address)
        existing = find_match(session, campaign.circle_id, key)
        outlet = Outlet(circle_id=campaign.circle_id, name=name[:100], address=address[:200], match_key=key,
                        source=OutletSource.merchant.value, response_ids=[response.id],
                        possible_duplicate_of=existing.id if existing else None,
                        **attributes_from_answers(answers), **location_from_answers(answers))
        session.add(outlet)
        session.flush()  # the next response of the same batch must see this one
        made.append(outlet)
    return made


def add_outlet(session: Session, circle_id: int, name: str, address: str, type_code: str, *,
               note: str = "", **attributes) -> Outlet:
    """An outlet the assessor saw in the field that did not answer. If the inventory already
    has the shop, it is marked as a possible duplicate like a second answer would be."""
    name, address = (name or "").strip(), (address or "").strip()
    if not name:
        raise OutletError("请填写门店名称")
    key = match_key(name, address)
    existing = find_match(session, circle_id, key)
    outlet = Outlet(circle_id=circle_id, name=name[:100], address=address[:200], match_key=key, type_code=type_code,
                    source=OutletSource.assessor.value, note=(note or "")[:500],
                    possible_duplicate_of=existing.id if existing else None, **attributes)
    session.add(outlet)
    session.flush()
    record(session, "outlet.create", summary=f"添加网点“{outlet.name}”", target_type="outlet", target_id=outlet.id,
           circle_id=circle_id, after={"name": outlet.name, "address": outlet.address, "type_code": type_code,
                                       "note": outlet.note, **attributes})
    session.commit()
    return outlet


def set_status(session: Session, outlet: Outlet, status: str) -> Outlet:
    """Mark an outlet closed (no longer trading) or open again; merged outlets stay merged."""
    if status not in (OutletStatus.open.value, OutletStatus.closed.value):
        raise OutletError("未知的网点状态")
    if outlet.status == OutletStatus.merged.value:
        raise OutletError("这个网点已经合并到其他网点")
    record(session, "outlet.status", summary=f"网点“{outlet.name}”{'停业' if status == 'closed' else '恢复营业'}",
           target_type="outlet", target_id=outlet.id, circle_id=outlet.circle_id,
           before={"status": outlet.status}, after={"status": status})
    outlet.status = status
    outlet.updated_at = utcnow()
    session.add(outlet)
    session.commit()
    return outlet


def merge(session: Session, duplicate: Outlet, keep: Outlet, use_newer: bool = True) -> Outlet:
    """Fold ``duplicate`` into ``keep``: one outlet remains, recording every response that fed
    it. With ``use_newer`` the duplicate's attributes (from the later answer) replace the kept
    ones — a shop answering again is usually correcting itself; name and address stay the kept
    outlet's. The duplicate is kept as ``merged`` (pointing at ``keep``) so nothing is lost."""
    if duplicate.id == keep.id:
        raise OutletError("不能把网点合并到它自己")
    if duplicate.circle_id != keep.circle_id:
        raise OutletError("只能合并同一个生活圈的网点")
    if OutletStatus.merged.value in (duplicate.status, keep.status):
        raise OutletError("这个网点已经合并过了")
    record(session, "outlet.merge", summary=f"合并网点 #{duplicate.id} 到 #{keep.id}", target_type="outlet",
           target_id=keep.id, circle_id=keep.circle_id, before=keep.attributes(),
           after={**(duplicate.attributes() if use_newer else keep.attributes()), "merged": duplicate.id,
                  "use_newer": use_newer}, only_changes=False)
    if use_newer:
        for name, value in duplicate.attributes().items():
            setattr(keep, name, value)
    if duplicate.located and (use_newer or not keep.located):
        for name in LOCATION_FIELDS:  # a newer answer without a location keeps the old one
            setattr(keep, name, getattr(duplicate, name))
    keep.response_ids = sorted({*keep.response_ids, *duplicate.response_ids})
    if keep.source != duplicate.source:
        keep.source = OutletSource.merchant.value if keep.response_ids else keep.source
    keep.updated_at = utcnow()
    duplicate.status = OutletStatus.merged.value
    duplicate.merged_into = keep.id
    duplicate.possible_duplicate_of = None
    duplicate.updated_at = utcnow()
    for other in session.exec(select(Outlet).where(Outlet.possible_duplicate_of == duplicate.id)):
        other.possible_duplicate_of = keep.id  # anything waiting on the folded outlet now waits on the kept one
        session.add(other)
    session.add(keep)
    session.add(duplicate)
    session.commit()
    return keep


def separate(session: Session, outlet: Outlet) -> Outlet:
    """The assessor says a possible duplicate is a different shop: it is counted on its own."""
    if outlet.possible_duplicate_of is None:
        raise OutletError("这个网点没有被标记为疑似重复")
    record(session, "outlet.separate", summary=f"网点“{outlet.name}”不是同一家", target_type="outlet",
           target_id=outlet.id, circle_id=outlet.circle_id,
           before={"possible_duplicate_of": outlet.possible_duplicate_of}, after={"possible_duplicate_of": None})
    outlet.possible_duplicate_of = None
    outlet.updated_at = utcnow()
    session.add(outlet)
    session.commit()
    return outlet


def set_location(session: Session, outlet: Outlet, point: GeoPoint | None) -> Outlet:
    """The assessor sets, moves or clears an outlet's point (WGS-84), recorded in the audit log."""
    if outlet.status == OutletStatus.merged.value:
        raise OutletError("这个网点已经合并到其他网点")
    before = {name: getattr(outlet, name) for name in LOCATION_FIELDS}
    if point is None:
        outlet.latitude = outlet.longitude = outlet.location_accuracy = None
        outlet.location_source = ""
    else:
        outlet.latitude, outlet.longitude = point.lat, point.lon
        outlet.location_accuracy = point.accuracy
        outlet.location_source = "assessor"
    outlet.updated_at = utcnow()
    after = {name: getattr(outlet, name) for name in LOCATION_FIELDS}
    verb = "清除了" if point is None else ("设置了" if before["latitude"] is None else "移动了")
    record(session, "outlet.locate", summary=f"{verb}网点“{outlet.name}”的位置", target_type="outlet",
           target_id=outlet.id, circle_id=outlet.circle_id, before=before, after=after)
    session.add(outlet)
    session.commit()
    return outlet
