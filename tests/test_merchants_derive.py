"""The facts the outlet inventory suggests to the evaluation, each at its boundaries
(surveyapp.merchants.derive: pure, no database)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from surveyapp.evaluation.rules import load_rules
from surveyapp.merchants import derive

from .helpers import PROJECT_QUESTIONNAIRES

RULES = PROJECT_QUESTIONNAIRES.parent / "rules" / "national.yaml"
_ids = iter(range(1, 10_000))


def outlet(type_code="canteen_dining", **kw):
    base = dict(id=next(_ids), name="店", type_code=type_code, status="open", possible_duplicate_of=None, chain=False,
                is_24h=False, addon_services=[], sells_breakfast=type_code == "breakfast", breakfast_varieties=None,
                home_delivery=False, instant_retail=False, repair_categories=[], market_facilities=[],
                qr_payment=None, accepts_cash=None, listed_on_platform=None, response_ids=[1],
                difficulties=[], support_wanted=[])
    base.update(kw)
    return SimpleNamespace(**base)


def store(**kw):
    return outlet("convenience_store", **kw)


def test_every_suggested_fact_is_a_fact_of_the_rules():
    rules = load_rules(RULES)
    outlets = [store(addon_services=["parcel"], is_24h=True, home_delivery=True, sells_breakfast=True,
                     breakfast_varieties=3, qr_payment=True, listed_on_platform=True, chain=True),
               outlet("repair", repair_categories=["shoes"]), outlet("wet_market", market_facilities=["fair_scale"])]
    found = derive.suggested_facts(outlets)
    assert set(found) == {"store_breakfast", "market_repair", "chain_share", "digital"}
    for key, facts in found.items():
        names = {field.name for field in rules.indicator_fields(key)}
        assert set(facts) <= names, key


def test_closed_and_pending_duplicate_outlets_are_not_counted():
    outlets = [store(is_24h=True), store(is_24h=True, status="closed"), store(is_24h=True, possible_duplicate_of=1),
               store(is_24h=True, status="merged")]
    assert derive.stores_24h(derive.counted(outlets)).value == 1
    assert derive.suggested_facts(outlets)["chain_share"]["total_outlets"].value == 1


def test_nothing_is_suggested_without_outlets():
    assert derive.suggested_facts([]) == {}
    assert derive.suggested_facts([outlet("wet_market", status="closed")]) == {}


@pytest.mark.parametrize("services, expected", [
    ([], 0), ([["none"]], 0), ([["parcel"]], 1), ([["parcel"], ["parcel"]], 1),
    ([["parcel", "top_up"], ["top_up", "print_copy"]], 3),
])
def test_addon_services_counts_distinct_services_of_convenience_stores(services, expected):
    outlets = [store(addon_services=s) for s in services]
    result = derive.addon_services(outlets)
    assert (result is None) if not services else result.value == expected


def test_addon_services_ignore_other_types():
    assert derive.addon_services([outlet("supermarket", addon_services=["parcel"])]) is None
    assert derive.addon_services([store(), outlet("supermarket", addon_services=["parcel"])]).value == 0


@pytest.mark.parametrize("flags, expected", [([False], 0), ([True], 1), ([True, False, True], 2)])
def test_stores_24h_counts_convenience_stores_open_all_night(flags, expected):
    outlets = [store(is_24h=f) for f in flags] + [outlet("pharmacy", is_24h=True)]
    suggestion = derive.stores_24h(outlets)
    assert suggestion.value == expected
    assert f"{len(flags)} 家便利店中 {expected} 家24小时营业" in suggestion.source


def test_breakfast_varieties_is_the_largest_single_outlet():
    assert derive.breakfast_varieties([outlet("breakfast")]) is None  # none gave a number
    assert derive.breakfast_varieties([outlet("breakfast", breakfast_varieties=0)]).value == 0
    outlets = [outlet("breakfast", breakfast_varieties=7), store(sells_breakfast=True, breakfast_varieties=8),
               outlet("breakfast", breakfast_varieties=3), store(sells_breakfast=False, breakfast_varieties=20)]
    assert derive.breakfast_varieties(outlets).value == 8


def test_breakfast_delivery_needs_one_breakfast_outlet_that_delivers():
    assert derive.breakfast_delivery([store(home_delivery=True)]) is None
    assert derive.breakfast_delivery([outlet("breakfast")]).value is False
    assert derive.breakfast_delivery([outlet("breakfast"), outlet("breakfast", instant_retail=True)]).value is True
    assert derive.breakfast_delivery([store(sells_breakfast=True, home_delivery=True)]).value is True


def test_retail_delivery_needs_one_convenience_store_that_delivers():
    assert derive.retail_delivery([outlet("supermarket", home_delivery=True)]) is None
    assert derive.retail_delivery([store()]).value is False
    assert derive.retail_delivery([store(), store(instant_retail=True)]).value is True


@pytest.mark.parametrize("lists, expected", [
    ([[]], 0), ([["shoes"]], 1), ([["shoes", "keys"], ["keys"]], 2), ([["shoes"], ["keys"], ["clothes", "none"]], 3),
])
def test_repair_categories_counts_distinct_categories(lists, expected):
    outlets = [outlet("repair", repair_categories=lists[0])] + [outlet("hardware", repair_categories=c) for c in lists[1:]]
    assert derive.repair_categories(outlets).value == expected


def test_repair_categories_absent_without_any_repair_offer():
    assert derive.repair_categories([outlet("hardware")]) is None
    assert derive.repair_categories([outlet("laundry", repair_categories=["clothes"])]).value == 1


def test_market_takes_the_best_equipped_wet_market():
    assert derive.market([outlet("fresh_grocery", market_facilities=["fair_scale"])]) == {}
    found = derive.market([outlet("wet_market", market_facilities=["none"]),
                           outlet("wet_market", name="新桥菜市场", market_facilities=["price_display", "fair_scale"])])
    assert found["market_present"].value is True
    assert found["market_services"].value == ["fair_scale", "price_display"]
    assert "新桥菜市场" in found["market_services"].source


@pytest.mark.parametrize("chains, total", [(0, 1), (1, 1), (1, 5), (20, 100)])
def test_chain_share_counts_chain_outlets_over_all_counted(chains, total):
    outlets = [outlet(chain=i < chains) for i in range(total)] + [outlet(chain=True, status="closed")]
    found = derive.suggested_facts(outlets)["chain_share"]
    assert found["chain_outlets"].value == chains and found["total_outlets"].value == total


@pytest.mark.parametrize("listed, total, share", [(0, 1, 0.0), (3, 5, 0.6), (5, 5, 1.0)])
def test_listed_share_over_all_counted_outlets(listed, total, share):
    outlets = [outlet(listed_on_platform=True if i < listed else None) for i in range(total)]
    assert derive.listed_share(outlets).value == pytest.approx(share)


def test_listed_share_counts_unknown_as_not_listed():
    assert derive.listed_share([outlet(listed_on_platform=True), outlet(listed_on_platform=None),
                                outlet(listed_on_platform=False)]).value == pytest.approx(1 / 3)


def test_qr_payment_main_venues_all_known_main_venues_take_qr():
    assert derive.qr_payment_main_venues([outlet("pharmacy", qr_payment=True)]) is None
    assert derive.qr_payment_main_venues([store(qr_payment=None)]) is None
    assert derive.qr_payment_main_venues([store(qr_payment=True), outlet("wet_market", qr_payment=True),
                                          store(qr_payment=None)]).value is True
    no = derive.qr_payment_main_venues([store(qr_payment=True), outlet("wet_market", qr_payment=False),
                                        outlet("pharmacy", qr_payment=True)])
    assert no.value is False and "主要场所 2 家中 1 家可扫码" in no.source and "全部网点 3 家中 2 家" in no.source


def test_merchant_summary_ranks_difficulties_among_outlets_that_answered():
    outlets = [outlet(difficulties=["rent", "staff"], support_wanted=["rent_support"], qr_payment=True,
                      accepts_cash=True, chain=True),
               outlet(difficulties=["rent"], qr_payment=True, accepts_cash=False),
               outlet(difficulties=["none"], qr_payment=False),
               outlet(response_ids=[], difficulties=[]),  # added by the assessor: did not answer
               outlet(difficulties=["customers"], status="closed")]
    summary = derive.merchant_summary(outlets, {"canteen_dining": "大众餐饮店"}, {"rent": "房租高"}, {})
    assert summary["total"] == 4 and summary["answered"] == 3
    assert summary["by_type"] == [{"code": "canteen_dining", "label": "大众餐饮店", "outlets": 4}]
    assert summary["chain"] == {"outlets": 1, "share": 0.25}
    assert [(r["label"], r["outlets"]) for r in summary["difficulties"]] == [("房租高", 2), ("staff", 1)]
    assert summary["difficulties"][0]["share"] == pytest.approx(2 / 3)
    assert summary["digital"]["qr_payment"] == {"outlets": 2, "known": 3, "share": pytest.approx(2 / 3)}
    assert summary["digital"]["cash_too"]["share"] == 0.5
