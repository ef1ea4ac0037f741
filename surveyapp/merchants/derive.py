"""From the outlet inventory to the evaluation's facts: pure functions, no database, no Flask.

Every function takes the outlets to count (already filtered to :attr:`Outlet.counted`: open
and not awaiting a merge; see :func:`counted`) and returns a :class:`Suggestion` — a value
for one fact of ``Rules.indicator_fields`` with the source the assessor reads next to it —
or ``None`` when the inventory says nothing about that fact. A suggestion is never a score
and never saved as the assessor's value by itself: the assessor accepts or overrides it.

Definitions (each tested at its boundaries in tests/test_merchants_derive.py):

* **types present** — per catalogue code, the number of counted outlets of that type.
* ``addon_services`` — the number of *distinct* add-on services (the questionnaire's
  ``addon_services`` codes except ``none``) offered by the counted convenience stores
  (``convenience_store``) taken together; suggested when there is at least one such store.
* ``stores_24h`` — the number of counted convenience stores open 24 hours.
* ``breakfast_varieties`` — the largest number of staple and soup/porridge varieties given
  by any one counted breakfast outlet (a ``breakfast`` shop, or any outlet that sells
  breakfast). The rule asks whether residents can find that range, and varieties of different
  shops overlap, so they are not added; suggested when at least one breakfast outlet gave it.
* ``breakfast_delivery`` — some counted breakfast outlet delivers (its own delivery or an
  instant-retail/takeaway platform); suggested when there is a breakfast outlet.
* ``retail_delivery`` — some counted convenience store delivers, likewise.
* ``repair_categories`` — the number of distinct repair categories offered by the counted
  outlets taken together (维修点 and the other types asked: 五金, 洗衣改衣, 物业); suggested
  when there is a repair outlet or any category.
* ``market_present`` / ``market_services`` — a counted ``wet_market`` exists; its facilities
  (rapid testing, fair scale, price display) are those of the best-equipped wet market, since
  the rule scores one standard site. Never suggests "no market" (an absent answer is not
  evidence of absence); ``market_area_sufficient`` is not suggested (floor area alone does not
  decide the standard).
* ``chain_outlets`` / ``total_outlets`` — counted outlets that belong to a chain / all counted
  outlets; chain share = chain_outlets / total_outlets.
* ``listed_share`` — counted outlets listed on the circle's map or platform / all counted
  outlets (an outlet that does not know, or was added without asking, is not counted as
  listed: the rule asks for verified listings).
* ``qr_payment_main_venues`` — every counted main venue (wet market, supermarket, fresh
  grocery, convenience store) whose payment is known takes QR payment, and at least one is
  known; the coverage over all outlets is information in the source text.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

CONVENIENCE = "convenience_store"
BREAKFAST = "breakfast"
WET_MARKET = "wet_market"
REPAIR = "repair"
MAIN_VENUES = ("wet_market", "supermarket", "fresh_grocery", "convenience_store")
MARKET_FACILITIES = ("rapid_testing", "fair_scale", "price_display")
NONE = "none"
SOURCE = "网点清单"


@dataclass(frozen=True)
class Suggestion:
    value: Any
    source: str

    def to_dict(self) -> dict:
        return {"value": self.value, "source": self.source}


def counted(outlets: Iterable) -> list:
    """The outlets the facts are derived from: open, and not a possible duplicate awaiting the
    assessor (so that a shop answering twice is never counted twice)."""
    return [o for o in outlets if o.status == "open" and o.possible_duplicate_of is None]


def _codes(values: Iterable[str] | None) -> set[str]:
    return {v for v in (values or ()) if v and v != NONE}


def _delivers(outlet) -> bool:
    return bool(outlet.home_delivery or outlet.instant_retail)


def _is_breakfast(outlet) -> bool:
    return outlet.type_code == BREAKFAST or bool(outlet.sells_breakfast)


def types_present(outlets: Sequence) -> dict[str, int]:
    """Catalogue code → number of outlets of that type."""
    return dict(Counter(o.type_code for o in outlets))


def addon_services(outlets: Sequence) -> Suggestion | None:
    stores = [o for o in outlets if o.type_code == CONVENIENCE]
    if not stores:
        return None
    services = set().union(*(_codes(o.addon_services) for o in stores))
    return Suggestion(len(services), f"{SOURCE}：{len(stores)} 家便利店共提供 {len(services)} 项便民服务")


def stores_24h(outlets: Sequence) -> Suggestion | None:
    stores = [o for o in outlets if o.type_code == CONVENIENCE]
    if not stores:
        return None
    n = sum(1 for o in stores if o.is_24h)
    return Suggestion(n, f"{SOURCE}：{len(stores)} 家便利店中 {n} 家24小时营业")


def breakfast_varieties(outlets: Sequence) -> Suggestion | None:
    given = [o.breakfast_varieties for o in outlets if _is_breakfast(o) and o.breakfast_varieties is not None]
    if not given:
        return None
    best = max(given)
    return Suggestion(best, f"{SOURCE}：{len(given)} 家早餐网点，品种最多的一家 {best} 种")


def breakfast_delivery(outlets: Sequence) -> Suggestion | None:
    shops = [o for o in outlets if _is_breakfast(o)]
    if not shops:
        return None
    n = sum(1 for o in shops if _delivers(o))
    return Suggestion(n > 0, f"{SOURCE}：{len(shops)} 家早餐网点中 {n} 家可送餐到家")


def retail_delivery(outlets: Sequence) -> Suggestion | None:
    stores = [o for o in outlets if o.type_code == CONVENIENCE]
    if not stores:
        return None
    n = sum(1 for o in stores if _delivers(o))
    return Suggestion(n > 0, f"{SOURCE}：{len(stores)} 家便利店中 {n} 家可送货到家")


def repair_categories(outlets: Sequence) -> Suggestion | None:
    offering = [o for o in outlets if o.type_code == REPAIR or _codes(o.repair_categories)]
    if not offering:
        return None
    categories = set().union(*(_codes(o.repair_categories) for o in offering))
    return Suggestion(len(categories), f"{SOURCE}：{len(offering)} 家网点共提供 {len(categories)} 类维修服务")


def market(outlets: Sequence) -> dict[str, Suggestion]:
    markets = [o for o in outlets if o.type_code == WET_MARKET]
    if not markets:
        return {}
    best = max(markets, key=lambda o: (len(_codes(o.market_facilities) & set(MARKET_FACILITIES)), -(o.id or 0)))
    services = [code for code in MARKET_FACILITIES if code in _codes(best.market_facilities)]
    return {
        "market_present": Suggestion(True, f"{SOURCE}：{len(markets)} 家菜市场"),
        "market_services": Suggestion(services, f"{SOURCE}：设施最全的菜市场“{best.name}”"),
    }


def chain(outlets: Sequence) -> dict[str, Suggestion]:
    if not outlets:
        return {}
    chains = sum(1 for o in outlets if o.chain)
    share = f"{float(Fraction(chains, len(outlets))) * 100:.1f}%"
    return {
        "chain_outlets": Suggestion(chains, f"{SOURCE}：{len(outlets)} 家网点中 {chains} 家连锁（{share}）"),
        "total_outlets": Suggestion(len(outlets), f"{SOURCE}：在营网点 {len(outlets)} 家"),
    }


def listed_share(outlets: Sequence) -> Suggestion | None:
    if not outlets:
        return None
    n = sum(1 for o in outlets if o.listed_on_platform)
    return Suggestion(n / len(outlets), f"{SOURCE}：{len(outlets)} 家网点中 {n} 家已上线生活圈地图或平台")


def qr_payment_main_venues(outlets: Sequence) -> Suggestion | None:
    venues = [o for o in outlets if o.type_code in MAIN_VENUES and o.qr_payment is not None]
    if not venues:
        return None
    qr = sum(1 for o in venues if o.qr_payment)
    known = [o for o in outlets if o.qr_payment is not None]
    everywhere = sum(1 for o in known if o.qr_payment)
    return Suggestion(qr == len(venues), f"{SOURCE}：主要场所 {len(venues)} 家中 {qr} 家可扫码；"
                                         f"全部网点 {len(known)} 家中 {everywhere} 家可扫码")


def suggested_facts(outlets: Sequence) -> dict[str, dict[str, Suggestion]]:
    """Indicator key → fact name → suggestion, for the counted ``outlets``. Only facts the
    inventory says something about appear."""
    outlets = counted(outlets)
    found: dict[str, dict[str, Suggestion]] = {}

    def put(indicator: str, name: str, suggestion: Suggestion | None) -> None:
        if suggestion is not None:
            found.setdefault(indicator, {})[name] = suggestion

    for name, derive in (("addon_services", addon_services), ("stores_24h", stores_24h),
                         ("breakfast_varieties", breakfast_varieties), ("breakfast_delivery", breakfast_delivery),
                         ("retail_delivery", retail_delivery)):
        put("store_breakfast", name, derive(outlets))
    for name, suggestion in market(outlets).items():
        put("market_repair", name, suggestion)
    put("market_repair", "repair_categories", repair_categories(outlets))
    for name, suggestion in chain(outlets).items():
        put("chain_share", name, suggestion)
    put("digital", "qr_payment_main_venues", qr_payment_main_venues(outlets))
    put("digital", "listed_share", listed_share(outlets))
    return found


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _ranked(lists: Sequence[Sequence[str]], labels: dict[str, str]) -> list[dict]:
    answered = [set(codes) for codes in lists if codes]
    counts = Counter(code for codes in answered for code in codes if code != NONE)
    rows = [{"code": code, "label": labels.get(code, code), "outlets": n, "share": _share(n, len(answered))}
            for code, n in counts.items()]
    rows.sort(key=lambda row: (-row["outlets"], row["label"]))
    return rows


def merchant_summary(outlets: Sequence, type_labels: dict[str, str], difficulty_labels: dict[str, str],
                     support_labels: dict[str, str]) -> dict:
    """The merchant results: outlets by type, chain share, digital adoption, and the
    difficulties and support wanted, ranked by how many outlets name them (among the outlets
    that answered the question). Counted outlets only."""
    outlets = counted(outlets)
    total = len(outlets)
    by_type = sorted(types_present(outlets).items(), key=lambda item: (-item[1], item[0]))
    chains = sum(1 for o in outlets if o.chain)
    qr_known = [o for o in outlets if o.qr_payment is not None]
    qr = [o for o in qr_known if o.qr_payment]
    cash_known = [o for o in qr if o.accepts_cash is not None]
    listed = sum(1 for o in outlets if o.listed_on_platform)
    answered = [o for o in outlets if o.response_ids]
    return {
        "total": total,
        "answered": len(answered),
        "by_type": [{"code": code, "label": type_labels.get(code, code), "outlets": n} for code, n in by_type],
        "chain": {"outlets": chains, "share": _share(chains, total)},
        "digital": {
            "qr_payment": {"outlets": len(qr), "known": len(qr_known), "share": _share(len(qr), len(qr_known))},
            "cash_too": {"outlets": sum(1 for o in cash_known if o.accepts_cash), "known": len(cash_known),
                         "share": _share(sum(1 for o in cash_known if o.accepts_cash), len(cash_known))},
            "listed": {"outlets": listed, "share": _share(listed, total)},
            "delivery": {"outlets": sum(1 for o in outlets if _delivers(o)),
                         "share": _share(sum(1 for o in outlets if _delivers(o)), total)},
        },
        "difficulties": _ranked([o.difficulties for o in answered], difficulty_labels),
        "support": _ranked([o.support_wanted for o in answered], support_labels),
    }
