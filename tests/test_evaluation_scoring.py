"""The scoring engine against hand-computed values (the numbers decide subsidies).

Every rule is tested at its boundaries with the national rules file; each expected value is
worked out in a comment. Arithmetic must be exact: 5 − 3 × 0.6 is 3.2, and totals of exactly
70, 80 and 90 land in the band they reach.
"""
from __future__ import annotations

import copy
import json
from fractions import Fraction
from pathlib import Path

import pytest

from surveyapp.evaluation.rules import INDICATOR_KEYS, load_rules, load_rules_text
from surveyapp.evaluation.scoring import (
    fmt, fmt_percent, normalize_facts, outcome, satisfaction_facts, score_indicator, score_presence,
    score_service,
)

ROOT = Path(__file__).resolve().parents[1]
NATIONAL = ROOT / "rules" / "national.yaml"
RULES = load_rules(NATIONAL)
F = Fraction

REQUIRED = list(RULES.required_types)                        # the 15 必备 basic types
QUALITY = [entry.code for entry in RULES.catalogue.quality]  # 13 quality types
ALL_SERVICES = ["rapid_testing", "fair_scale", "price_display"]
ELDER = ["meal_assistance", "day_care", "health_service", "recreation"]
#: The seed's childcare services (附件2 #6) and smart-terminal categories (附件2 #9, 问38), in file order.
CHILD = ["full_time_care", "day_care", "half_day_care", "hourly_care", "nutrition_meals"]
TERMINALS = ["parcel_locker", "meal_locker", "vending", "water_vending", "self_service_24h"]

#: Facts that earn every point (100) in a tier-1 city.
FULL = {
    "needs": {"lists_exist": True, "projects_carried_out": True},                          # 8
    "business_satisfaction": {"satisfied": 600, "answered": 600, "sample_met": True},      # 16
    "service_satisfaction": {"satisfied": 600, "answered": 600, "sample_met": True},       # 16
    "store_breakfast": {"addon_services": 7, "stores_24h": 2, "breakfast_varieties": 8,
                        "breakfast_delivery": True, "retail_delivery": True},              # 4 + 4 + 1 + 1
    "market_repair": {"market_present": True, "market_area_sufficient": True,
                      "market_services": ALL_SERVICES, "repair_categories": 8},            # 5 + 5
    "elderly_childcare": {"elderly_site_present": True, "elderly_area_sufficient": True,
                          "elderly_services": ELDER, "childcare_site_present": True,
                          "childcare_area_sufficient": True, "childcare_services": CHILD},  # 5 + 5
    "chain_share": {"chain_outlets": 300, "total_outlets": 1000},                          # 6
    "promotion": {"events": 6},                                                            # 6
    "digital": {"qr_payment_main_venues": True, "smart_terminal_types": TERMINALS,
                "listed_share": F(7, 10), "resident_usage_share": F(1, 2),
                "platform_exists": True},                                                  # 2 × 5
    "harmony": {"level": "met"},                                                           # 8
}


def changed(base=None, **changes):
    """FULL (or ``base``) with some indicators' facts updated: changed(market_repair={...})."""
    facts = copy.deepcopy(FULL if base is None else base)
    for key, update in changes.items():
        facts[key].update(update)
    return facts


def points(key, city_tier=3, **facts):
    return score_indicator(RULES, key, facts, city_tier=city_tier).points


def test_full_facts_score_100():
    result = score_service(RULES, FULL, city_tier=1)
    assert [r.points for r in result.indicators] == [8, 16, 16, 10, 10, 10, 6, 6, 10, 8]
    assert result.total == 100 and result.grade.label == "优秀"


# --- #1 问需 -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("lists, projects, expected", [
    (False, False, 0), (True, False, 4), (False, True, 4), (True, True, 8)])
def test_needs(lists, projects, expected):
    assert points("needs", lists_exist=lists, projects_carried_out=projects) == expected


def test_needs_steps():
    result = score_indicator(RULES, "needs", {"lists_exist": True, "projects_carried_out": False})
    assert result.steps == ("需求清单和项目清单：是 → 4 分", "清单项目推进实施：否 → 0 分")
    assert result.label == "问需" and result.max_points == 8 and not result.trial and result.missing == ()


# --- #2/#3 满意度 ------------------------------------------------------------------------------------

@pytest.mark.parametrize("key", ["business_satisfaction", "service_satisfaction"])
@pytest.mark.parametrize("satisfied, answered, met, expected", [
    (540, 600, True, 16),        # 540/600 = 90% exactly → 16
    (8999, 10000, True, 10),     # 89.99% → 10
    (539, 600, True, 10),        # 89.83% → 10
    (480, 600, True, 10),        # 80% exactly → 10
    (479, 600, True, 0),         # 79.83% → 0
    (600, 600, False, 0),        # 100% but the 3% sample rule failed → 0
    (0, 0, True, 0),             # no answers → 0
])
def test_satisfaction_boundaries(key, satisfied, answered, met, expected):
    assert points(key, satisfied=satisfied, answered=answered, sample_met=met) == expected


def test_satisfaction_steps():
    def steps(**facts):
        return score_indicator(RULES, "business_satisfaction", facts).steps
    assert steps(satisfied=540, answered=600, sample_met=True) == ("满意率 90.0%（540/600），样本达到 3% 要求 → 16 分",)
    assert steps(satisfied=8999, answered=10000, sample_met=True) == (
        "满意率 89.99%（8999/10000），样本达到 3% 要求，低于 90% → 10 分",)
    assert steps(satisfied=479, answered=600, sample_met=True) == (
        "满意率 79.83%（479/600），样本达到 3% 要求，低于 80% → 0 分",)
    assert steps(satisfied=600, answered=600, sample_met=False) == ("满意率 100.0%（600/600），样本未达到 3% 要求 → 0 分",)
    assert steps(satisfied=0, answered=0, sample_met=True) == ("无有效回答 → 0 分",)


def test_satisfaction_without_sample_flag_scores_nothing_and_says_so():
    result = score_indicator(RULES, "service_satisfaction", {"satisfied": 600, "answered": 600})
    assert result.points == 0 and result.missing == ("sample_met",)


def test_satisfaction_facts_from_a_summary_document():
    summary = {"sample": {"population": 20000, "required": 600, "valid": 612, "met": True},
               "indicators": {"business_satisfaction": {"label": "业态满意", "answered": 600, "satisfied": 540,
                                                        "rate": 0.9, "points": 16}}}
    facts = satisfaction_facts(summary, "business_satisfaction")
    assert facts == {"satisfied": 540, "answered": 600, "sample_met": True}
    assert points("business_satisfaction", **facts) == 16
    assert satisfaction_facts(summary, "service_satisfaction") == {}
    with pytest.raises(ValueError):
        satisfaction_facts(summary, "needs")


def test_satisfied_above_answered_is_refused():
    with pytest.raises(ValueError, match="满意人数"):
        points("business_satisfaction", satisfied=601, answered=600, sample_met=True)


# --- #4 一店一早 -------------------------------------------------------------------------------------

@pytest.mark.parametrize("services, stores, expected", [
    (7, 2, 4),    # ≥7 and ≥2 → 4
    (6, 2, 2),    # 6 services: only the ≥5/≥1 tier → 2
    (7, 1, 2),    # one 24-hour store: ≥5/≥1 → 2
    (5, 1, 2),    # exactly the lower tier → 2
    (4, 9, 0),    # 4 services → 0
    (9, 0, 0),    # no 24-hour store → 0
    (20, 10, 4),
])
def test_store_tiers(services, stores, expected):
    assert points("store_breakfast", addon_services=services, stores_24h=stores) == expected


@pytest.mark.parametrize("varieties, expected", [(4, 0), (5, 2), (7, 2), (8, 4), (30, 4)])
def test_breakfast_varieties(varieties, expected):
    assert points("store_breakfast", breakfast_varieties=varieties) == expected


@pytest.mark.parametrize("breakfast, retail, expected", [(False, False, 0), (True, False, 1),
                                                          (False, True, 1), (True, True, 2)])
def test_delivery_points(breakfast, retail, expected):
    assert points("store_breakfast", breakfast_delivery=breakfast, retail_delivery=retail) == expected


def test_store_breakfast_steps_and_missing_facts():
    result = score_indicator(RULES, "store_breakfast", {"addon_services": 7, "stores_24h": 2})
    # Only the store facts were entered: 4 points, the rest listed as missing in form order.
    assert result.points == 4
    assert result.steps[0] == "便利店便民服务 7 项、24小时门店 2 家 → 4 分"
    assert result.steps[1] == "早餐：未填写 → 0 分"
    assert result.missing == ("breakfast_varieties", "breakfast_delivery", "retail_delivery")
    low = score_indicator(RULES, "store_breakfast", {"addon_services": 4, "stores_24h": 0, "breakfast_varieties": 4})
    assert low.steps[:2] == ("便利店便民服务 4 项、24小时门店 0 家，未达到 5 项且 1 家 → 0 分",
                             "早餐主食和汤粥 4 种，少于 5 种 → 0 分")


def test_a_store_part_needs_both_of_its_facts():
    result = score_indicator(RULES, "store_breakfast", {"addon_services": 9})
    assert result.points == 0 and "stores_24h" in result.missing


# --- #5 一菜一修 -------------------------------------------------------------------------------------

def market(**facts):
    base = {"market_present": True, "market_area_sufficient": True, "market_services": ALL_SERVICES,
            "repair_categories": 8}
    base.update(facts)
    return score_indicator(RULES, "market_repair", base)


def test_market_and_repair_full():
    assert market().points == 10            # 5 + 5


def test_market_area_short_costs_one_point():
    result = market(market_area_sufficient=False)
    assert result.points == 9               # (5 − 1) + 5
    assert "菜市场面积不足 −1 分" in result.steps


@pytest.mark.parametrize("offered, expected", [
    (ALL_SERVICES, F(10)),                          # 5 + 5
    (["fair_scale", "price_display"], F("9.4")),    # (5 − 0.6) + 5
    (["price_display"], F("8.8")),                  # (5 − 2 × 0.6) + 5
    ([], F("8.2")),                                 # (5 − 3 × 0.6 = 3.2) + 5
])
def test_each_missing_market_service_costs_0_6(offered, expected):
    assert market(market_services=offered).points == expected


def test_five_minus_three_times_0_6_is_exactly_3_2():
    result = market(market_services=[], repair_categories=0)   # 5 − 1.8 = 3.2; no repair → 0
    assert result.points == F("3.2")
    assert result.to_dict()["points"] == 3.2
    assert "菜市场缺少快速检测、公平秤、明码标价（3 项 × 0.6） −1.8 分" in result.steps
    assert "菜市场小计 3.2 分" in result.steps


def test_market_area_short_and_no_services():
    assert market(market_area_sufficient=False, market_services=[]).points == F("7.2")   # (5 − 1 − 1.8) + 5


def test_no_market_scores_0_for_the_market_part():
    result = market(market_present=False, market_area_sufficient=False, market_services=[])
    assert result.points == 5                # 0 + repair 5
    assert result.steps[0] == "菜市场：无 → 0 分"


def test_no_market_does_not_ask_for_area_and_services():
    result = score_indicator(RULES, "market_repair", {"market_present": False, "repair_categories": 8})
    assert result.points == 5 and result.missing == ()


@pytest.mark.parametrize("categories, expected", [
    (8, F(10)),            # 5 + 5
    (9, F(10)),
    (7, F("9.4")),         # 5 + (5 − 0.6)
    (6, F("8.8")),         # 5 + (5 − 2 × 0.6)
    (1, F("5.8")),         # 5 + (5 − 7 × 0.6 = 0.8)
    (0, F(5)),             # no repair service at all → 0 (zero_when_none), not 5 − 8 × 0.6 = 0.2
])
def test_repair_categories(categories, expected):
    assert market(repair_categories=categories).points == expected


def test_repair_steps():
    assert market(repair_categories=7).steps[-1] == "小修小补维修品类 7 类，比 8 类少 1 类 −0.6 分 → 4.4 分"
    assert market(repair_categories=8).steps[-1] == "小修小补维修品类 8 类 → 5 分"
    assert market(repair_categories=0).steps[-1] == "小修小补：无维修服务 → 0 分"


def test_market_facts_not_entered_count_as_insufficient():
    # present, area and services not entered: 5 − 1 − 1.8 = 2.2 (nothing is awarded on trust).
    result = score_indicator(RULES, "market_repair", {"market_present": True})
    assert result.points == F("2.2")
    assert result.missing == ("market_area_sufficient", "market_services", "repair_categories")


# --- #6 一老一小 -------------------------------------------------------------------------------------

def elderly_childcare(**facts):
    return score_indicator(RULES, "elderly_childcare", changed(elderly_childcare=facts)["elderly_childcare"])


def test_elderly_childcare_full():
    assert elderly_childcare().points == 10


@pytest.mark.parametrize("facts, expected", [
    ({"elderly_area_sufficient": False}, F(9)),                                   # (5 − 1) + 5
    ({"elderly_services": ELDER[1:]}, F("9.4")),                                  # (5 − 0.6) + 5
    ({"elderly_services": []}, F("7.6")),                                         # (5 − 4 × 0.6) + 5
    ({"elderly_area_sufficient": False, "elderly_services": []}, F("6.6")),       # (5 − 1 − 2.4 = 1.6) + 5
    ({"elderly_site_present": False}, F(5)),                                      # 0 + 5
    ({"childcare_area_sufficient": False}, F(9)),                                 # 5 + (5 − 1)
    ({"childcare_services": CHILD[:4]}, F("9.4")),                                # 5 + (5 − 0.6)
    ({"childcare_services": CHILD[:2]}, F("8.2")),                                # 5 + (5 − 3 × 0.6)
    ({"childcare_services": []}, F(7)),                                           # 5 + (5 − 5 × 0.6)
    ({"childcare_site_present": False}, F(5)),                                    # 5 + 0
    ({"elderly_site_present": False, "childcare_site_present": False}, F(0)),
])
def test_elderly_childcare_deductions(facts, expected):
    assert elderly_childcare(**facts).points == expected


def test_elderly_childcare_is_trial_and_says_which_part():
    result = elderly_childcare()
    assert result.trial
    assert result.trial_parts == ("养老服务站点服务项目", "托育服务站点服务项目")
    steps = elderly_childcare(elderly_services=["day_care"]).steps
    assert "养老服务站点缺少助餐、健康服务、文体活动（3 项 × 0.6） −1.8 分" in steps


# --- #7 品质质量 (chain share) ---------------------------------------------------------------------

@pytest.mark.parametrize("tier, chain, expected", [
    (1, 299, 0), (1, 300, 6),   # tier 1: 29.9% → 0, 30% → 6
    (2, 249, 0), (2, 250, 6),   # tier 2: 24.9% → 0, 25% → 6
    (3, 199, 0), (3, 200, 6),   # others: 19.9% → 0, 20% → 6
])
def test_chain_share_by_city_tier(tier, chain, expected):
    assert points("chain_share", city_tier=tier, chain_outlets=chain, total_outlets=1000) == expected


def test_chain_share_steps_default_tier_and_errors():
    # The default city tier is 3 (其他城市, 20%).
    assert points("chain_share", chain_outlets=45, total_outlets=225) == 6     # 45/225 = 20% exactly
    assert points("chain_share", chain_outlets=44, total_outlets=225) == 0     # 19.55%
    result = score_indicator(RULES, "chain_share", {"chain_outlets": 299, "total_outlets": 1000}, city_tier=1)
    assert result.steps == ("连锁化率 29.9%（299/1000），一线城市要求不低于 30%，未达到 → 0 分",)
    assert points("chain_share", chain_outlets=0, total_outlets=0) == 0
    with pytest.raises(ValueError, match="城市等级 4"):
        points("chain_share", city_tier=4, chain_outlets=1, total_outlets=2)
    with pytest.raises(ValueError, match="连锁品牌网点数"):
        points("chain_share", chain_outlets=3, total_outlets=2)


# --- #8 促消费活动 -----------------------------------------------------------------------------------

@pytest.mark.parametrize("events, expected", [(0, 0), (1, 1), (5, 5), (6, 6), (7, 6), (40, 6)])
def test_promotion_one_point_per_event_max_6(events, expected):
    assert points("promotion", events=events) == expected


def test_promotion_step():
    assert score_indicator(RULES, "promotion", {"events": 7}).steps == ("促消费活动 7 场 × 1 分，最高 6 分 → 6 分",)


# --- #9 智慧服务 -------------------------------------------------------------------------------------

@pytest.mark.parametrize("facts, expected", [
    ({"qr_payment_main_venues": True}, F(2)),
    ({"qr_payment_main_venues": False}, F(0)),
    ({"smart_terminal_types": TERMINALS}, F(2)),
    ({"smart_terminal_types": TERMINALS[:4]}, F("1.6")),                    # 2 − 0.4 (24小时自助服务 short)
    ({"smart_terminal_types": ["parcel_locker", "vending"]}, F("0.8")),     # 2 − 3 × 0.4
    ({"smart_terminal_types": ["self_service_24h"]}, F("0.4")),             # 2 − 4 × 0.4
    ({"smart_terminal_types": ["water_vending", "meal_locker", "parcel_locker", "vending"]}, F("1.6")),  # order free
    ({"smart_terminal_types": []}, F(0)),                                   # none at all → 0 (not 0.8)
    ({"listed_share": F(7, 10)}, F(2)),                                     # 70% → 2
    ({"listed_share": 0.7}, F(2)),                                          # a float 0.7 is 7/10 exactly
    ({"listed_share": F(699, 1000)}, F(0)),                                 # 69.9% → 0
    ({"resident_usage_share": F(1, 2)}, F(2)),                              # 50% → 2
    ({"resident_usage_share": 0.499}, F(0)),                                # 49.9% → 0
    ({"platform_exists": True}, F(2)),
    ({"platform_exists": False}, F(0)),
])
def test_digital_parts(facts, expected):
    assert points("digital", **facts) == expected


def test_digital_full_and_trial():
    result = score_indicator(RULES, "digital", FULL["digital"])
    assert result.points == 10 and result.trial and result.trial_parts == ("智慧服务",)
    step = score_indicator(RULES, "digital", {"smart_terminal_types": ["vending"]}).steps[1]
    assert step == "智能终端缺少智能快件箱、智能取餐柜、自助售水机、24小时自助服务（4 类 × 0.4） −1.6 分 → 0.4 分"
    full = score_indicator(RULES, "digital", {"smart_terminal_types": TERMINALS}).steps[1]
    assert full == "智能终端：智能快件箱、智能取餐柜、自助售货机、自助售水机、24小时自助服务齐全 → 2 分"


# --- #10 商居和谐 ------------------------------------------------------------------------------------

@pytest.mark.parametrize("level, expected, label", [("met", 8, "达到"), ("mostly_met", 4, "基本达到"),
                                                     ("not_met", 0, "未达到")])
def test_harmony_levels(level, expected, label):
    result = score_indicator(RULES, "harmony", {"level": level})
    assert result.points == expected
    assert result.steps == (f"商居和谐：{label} → {expected} 分",)


# --- facts: empty, unknown, ill-typed -------------------------------------------------------------

@pytest.mark.parametrize("key", INDICATOR_KEYS)
def test_empty_indicator_scores_0_and_says_not_entered(key):
    for facts in (None, {}):
        result = score_indicator(RULES, key, facts)
        assert result.points == 0
        assert result.steps == ("未填写，记 0 分",)
    expected = ["satisfied", "answered", "sample_met"] if "satisfaction" in key else \
        [f.name for f in RULES.indicator_fields(key)]
    assert list(score_indicator(RULES, key, {}).missing) == expected


def test_none_means_not_entered():
    result = score_indicator(RULES, "needs", {"lists_exist": True, "projects_carried_out": None})
    assert result.points == 4 and result.missing == ("projects_carried_out",)


@pytest.mark.parametrize("key, facts, message", [
    ("needs", {"lists": True}, "没有填报项“lists”"),
    ("needs", {"lists_exist": 1}, "“已建立居民需求清单和项目清单”（lists_exist）应为是或否"),
    ("store_breakfast", {"addon_services": True}, "（addon_services）应为整数"),
    ("store_breakfast", {"addon_services": 7.0}, "（addon_services）应为整数"),
    ("store_breakfast", {"stores_24h": -1}, "（stores_24h）不能小于 0"),
    ("market_repair", {"market_services": "fair_scale"}, "（market_services）应为选项代码的列表"),
    ("market_repair", {"market_services": ["scale"]}, "“scale”不是有效选项"),
    ("digital", {"listed_share": 1.2}, "（listed_share）应为 0 到 1 之间的小数"),
    ("digital", {"listed_share": "0.7"}, "（listed_share）应为 0 到 1 之间的小数"),
    ("digital", {"listed_share": float("nan")}, "（listed_share）应为 0 到 1 之间的小数"),
    ("harmony", {"level": "good"}, "（level）应为以下之一：met、mostly_met、not_met"),
    ("business_satisfaction", {"rate": 0.9}, "没有填报项“rate”"),
    ("business_satisfaction", {"sample_met": "yes"}, "（sample_met）应为是或否"),
])
def test_bad_facts_are_refused_in_chinese_naming_the_field(key, facts, message):
    with pytest.raises(ValueError) as info:
        score_indicator(RULES, key, facts)
    assert message in str(info.value)


def test_unknown_indicator_is_refused():
    with pytest.raises(ValueError, match="未知的评价指标“parking”"):
        score_indicator(RULES, "parking", {})
    with pytest.raises(ValueError, match="未知的评价指标“parking”"):
        score_service(RULES, {"parking": {}}, city_tier=1)


def test_normalized_facts_are_exact_and_in_form_order():
    facts = normalize_facts(RULES, "digital", {"platform_exists": True, "listed_share": 0.7,
                                               "smart_terminal_types": ("vending", "vending")})
    assert list(facts) == ["smart_terminal_types", "listed_share", "platform_exists"]
    assert facts["listed_share"] == F(7, 10) and facts["smart_terminal_types"] == frozenset({"vending"})


def test_points_never_exceed_max_or_go_below_zero():
    # A harsher rules file (area short −3, each missing service −1): 5 − 3 − 4 × 1 → 0, not −2.
    harsh = load_rules_text(NATIONAL.read_text(encoding="utf-8").replace(
        "        label: 养老服务站点\n        points: 5\n        area_short: 1\n        services:\n          trial: true"
        "                          # the list of services is our default\n          each_missing: 0.6",
        "        label: 养老服务站点\n        points: 5\n        area_short: 3\n        services:\n          trial: true\n"
        "          each_missing: 1"), NATIONAL)
    result = score_indicator(harsh, "elderly_childcare", {"elderly_site_present": True,
                                                          "elderly_area_sufficient": False, "elderly_services": [],
                                                          "childcare_site_present": False})
    assert result.points == 0
    assert "养老服务站点小计 0 分" in result.steps
    for key in INDICATOR_KEYS:
        assert 0 <= score_indicator(RULES, key, FULL[key], city_tier=1).points <= RULES.indicator(key).max_points


# --- 业态“有没有” -------------------------------------------------------------------------------------

def test_presence_all_required():
    result = score_presence(RULES, REQUIRED)
    assert (result.basic_points, result.quality_points, result.total) == (60, 0, 60)
    assert result.missing_required == ()
    assert result.steps[0] == "基本保障类业态：必备 15 类齐全 → 60 分"
    assert result.initial_type is None


@pytest.mark.parametrize("missing, expected", [(0, 60), (1, 45), (2, 45), (3, 45), (4, 0), (15, 0)])
def test_presence_basic_tiers_by_missing_required(missing, expected):
    assert score_presence(RULES, REQUIRED[missing:]).basic_points == expected


def test_presence_missing_required_in_catalogue_order_with_labels():
    present = [c for c in REQUIRED if c not in ("wet_market", "convenience_store")]
    result = score_presence(RULES, reversed(present))
    assert result.missing_required == ("convenience_store", "wet_market")
    assert result.missing_required_labels == ("便利店", "菜市场")
    assert result.steps[0] == "基本保障类业态：必备 15 类，已有 13 类，缺 2 类（便利店、菜市场）→ 45 分"
    assert result.to_dict()["missing_required"] == [{"code": "convenience_store", "label": "便利店"},
                                                    {"code": "wet_market", "label": "菜市场"}]


@pytest.mark.parametrize("count, expected", [(0, 0), (1, 5), (7, 35), (8, 40), (9, 40), (13, 40)])
def test_presence_quality_points_capped_at_40(count, expected):
    assert score_presence(RULES, REQUIRED + QUALITY[:count]).quality_points == expected


def test_presence_quality_cap_step():
    result = score_presence(RULES, REQUIRED + QUALITY[:9])
    assert result.steps[1] == "品质提升类业态：9 类 × 5 分，最高 40 分 → 40 分"


def test_non_required_basic_types_earn_nothing_extra():
    extra = [e.code for e in RULES.catalogue.basic if not e.required]
    assert score_presence(RULES, REQUIRED + extra).total == 60


@pytest.mark.parametrize("missing, quality, total, label, stars", [
    (1, 5, 70, "基础型", 3),       # 45 + 5 × 5 = 70 → 基础型 (lower bound inclusive)
    (1, 4, 65, None, None),        # 45 + 20 = 65 → none
    (0, 3, 75, "基础型", 3),       # 60 + 15
    (0, 4, 80, "提升型", 4),       # 60 + 20 = 80 → 提升型
    (1, 7, 80, "提升型", 4),       # 45 + 35 = 80
    (0, 5, 85, "提升型", 4),       # 60 + 25
    (0, 6, 90, "品质型", 5),       # 60 + 30 = 90 → 品质型
    (0, 13, 100, "品质型", 5),     # 60 + 40 (capped)
])
def test_presence_type_bands(missing, quality, total, label, stars):
    result = score_presence(RULES, REQUIRED[missing:] + QUALITY[:quality])
    assert result.total == total
    if label is None:
        assert result.initial_type is None
        assert result.steps[-1] == f"业态“有没有”合计 {total} 分，低于 70 分，无类型"
    else:
        assert (result.initial_type.label, result.initial_type.stars) == (label, stars)


def test_presence_refuses_unknown_codes_and_plain_strings():
    with pytest.raises(ValueError, match="“parking”不是业态目录"):
        score_presence(RULES, REQUIRED + ["parking"])
    with pytest.raises(ValueError, match="业态代码的列表"):
        score_presence(RULES, "convenience_store")


# --- grades and the gate at exactly 70 / 80 / 90 ------------------------------------------------

def deducted(**changes):
    return score_service(RULES, changed(**changes), city_tier=1)


PARTIAL = {"satisfied": 480, "answered": 600, "sample_met": True}     # 80% → 10 (−6)

EXACTLY_70 = dict(
    needs={"lists_exist": False, "projects_carried_out": False},     # −8
    business_satisfaction=PARTIAL, service_satisfaction=PARTIAL,     # −6 −6
    harmony={"level": "mostly_met"},                                 # −4
    promotion={"events": 4},                                         # −2
    market_repair={"market_services": [], "repair_categories": 7},   # −1.8 −0.6
    elderly_childcare={"elderly_services": ELDER[:2]},               # −1.2
    digital={"smart_terminal_types": TERMINALS[:4]},                 # −0.4
)  # 100 − (8 + 6 + 6 + 4 + 2) − (1.8 + 0.6 + 1.2 + 0.4) = 100 − 26 − 4 = 70


@pytest.mark.parametrize("changes, total, grade", [
    # 100 − 6 (business 80%) − 4 (harmony 基本达到) = 90 → 优秀
    (dict(business_satisfaction=PARTIAL, harmony={"level": "mostly_met"}), F(90), "优秀"),
    # the same with one terminal type short: 90 − 0.4 = 89.6 → 良好
    (dict(business_satisfaction=PARTIAL, harmony={"level": "mostly_met"},
          digital={"smart_terminal_types": TERMINALS[:4]}), F("89.6"), "良好"),
    # 100 − 6 − 6 (both 80%) − 8 (harmony 未达到) = 80 → 良好
    (dict(business_satisfaction=PARTIAL, service_satisfaction=PARTIAL, harmony={"level": "not_met"}), F(80), "良好"),
    # the same with 7 repair categories: 80 − 0.6 = 79.4 → 合格
    (dict(business_satisfaction=PARTIAL, service_satisfaction=PARTIAL, harmony={"level": "not_met"},
          market_repair={"repair_categories": 7}), F("79.4"), "合格"),
    # exactly 70, reached through decimal deductions → 合格
    (EXACTLY_70, F(70), "合格"),
    # the same with a second terminal type short: 70 − 0.4 = 69.6 → 不合格
    ({**EXACTLY_70, "digital": {"smart_terminal_types": TERMINALS[:3]}}, F("69.6"), "不合格"),
])
def test_grade_bands_at_exact_totals(changes, total, grade):
    result = deducted(**changes)
    assert result.total == total
    assert result.grade.label == grade
    assert result.steps == (f"服务“好不好”合计 {fmt(total)} 分 → {grade}",)


def test_exactly_70_passes_the_gate_and_69_6_does_not():
    presence = score_presence(RULES, REQUIRED + QUALITY[:4])            # 60 + 20 = 80 → 提升型
    passed = outcome(RULES, presence, deducted(**EXACTLY_70))
    assert passed.final_type.label == "提升型" and passed.stars == 4 and passed.reason is None
    failed = outcome(RULES, presence, deducted(**{**EXACTLY_70, "digital": {"smart_terminal_types": TERMINALS[:3]}}))
    assert failed.final_type is None and failed.stars is None
    assert failed.initial_type.label == "提升型"
    assert failed.reason == "服务“好不好”得分 69.6 分，低于 70 分，不授予类型"


# --- two full worked cases ----------------------------------------------------------------------

def test_worked_case_a_five_stars():
    # 有没有: all 15 required → 60; 8 quality types × 5 = 40 → 100 → 品质型 (五星).
    presence = score_presence(RULES, REQUIRED + QUALITY[:8])
    assert (presence.basic_points, presence.quality_points, presence.total) == (60, 40, 100)
    # 好不好, a tier-2 city:
    facts = {
        "needs": {"lists_exist": True, "projects_carried_out": True},                       # 4 + 4 = 8
        "business_satisfaction": {"satisfied": 552, "answered": 600, "sample_met": True},   # 92% → 16
        "service_satisfaction": {"satisfied": 510, "answered": 600, "sample_met": True},    # 85% → 10
        "store_breakfast": {"addon_services": 8, "stores_24h": 1,                           # ≥5 & ≥1 → 2
                            "breakfast_varieties": 6,                                       # ≥5 → 2
                            "breakfast_delivery": True, "retail_delivery": False},          # 1 + 0 → 5
        "market_repair": {"market_present": True, "market_area_sufficient": True,
                          "market_services": ["rapid_testing", "fair_scale"],               # 5 − 0.6 = 4.4
                          "repair_categories": 6},                                          # 5 − 1.2 = 3.8 → 8.2
        "elderly_childcare": {"elderly_site_present": True, "elderly_area_sufficient": False,
                              "elderly_services": ELDER[:3],                                # 5 − 1 − 0.6 = 3.4
                              "childcare_site_present": True, "childcare_area_sufficient": True,
                              "childcare_services": CHILD},                                 # 5 → 8.4
        "chain_share": {"chain_outlets": 260, "total_outlets": 1000},                       # 26% ≥ 25% → 6
        "promotion": {"events": 4},                                                         # 4
        "digital": {"qr_payment_main_venues": True,                                         # 2
                    "smart_terminal_types": TERMINALS[:4],                                  # 2 − 0.4 = 1.6
                    "listed_share": 0.75,                                                   # ≥70% → 2
                    "resident_usage_share": 0.45,                                           # <50% → 0
                    "platform_exists": True},                                               # 2 → 7.6
        "harmony": {"level": "met"},                                                        # 8
    }
    service = score_service(RULES, facts, city_tier=2)
    assert [r.points for r in service.indicators] == [
        8, 16, 10, 5, F("8.2"), F("8.4"), 6, 4, F("7.6"), 8]
    # 8 + 16 + 10 + 5 + 8.2 + 8.4 + 6 + 4 + 7.6 + 8 = 81.2 → 良好
    assert service.total == F("81.2")
    assert service.grade.label == "良好"
    result = outcome(RULES, presence, service)
    # 81.2 ≥ 70: the presence type stands → 品质型, 五星.
    assert result.final_type.label == "品质型" and result.final_type.stars_label == "五星" and result.stars == 5
    assert result.reason is None
    data = result.to_dict()
    assert data["final_type"] == {"code": "quality", "label": "品质型", "min_points": 90.0, "stars": 5,
                                  "stars_label": "五星"}
    assert data["service_total"] == 81.2 and data["presence_total"] == 100.0 and data["type_awarded"] is True
    assert data["grade"]["label"] == "良好" and data["rules"]["content_hash"] == RULES.content_hash
    assert data["trial"] is True
    json.dumps(data), json.dumps(service.to_dict()), json.dumps(presence.to_dict())


def test_worked_case_b_quality_type_withheld_at_68():
    # 有没有: all 15 required → 60; 6 quality types × 5 = 30 → 90 → 品质型.
    presence = score_presence(RULES, REQUIRED + QUALITY[:6])
    assert presence.total == 90 and presence.initial_type.label == "品质型"
    # 好不好, a tier-1 city:
    facts = {
        "needs": {"lists_exist": True, "projects_carried_out": False},                      # 4
        "business_satisfaction": {"satisfied": 500, "answered": 600, "sample_met": True},   # 83.3% → 10
        "service_satisfaction": {"satisfied": 480, "answered": 600, "sample_met": True},    # 80% → 10
        "store_breakfast": {"addon_services": 7, "stores_24h": 2, "breakfast_varieties": 8,  # 4 + 4
                            "breakfast_delivery": False, "retail_delivery": False},          # → 8
        "market_repair": {"market_present": True, "market_area_sufficient": False,
                          "market_services": ["price_display"],                              # 5 − 1 − 1.2 = 2.8
                          "repair_categories": 8},                                           # 5 → 7.8
        "elderly_childcare": {"elderly_site_present": True, "elderly_area_sufficient": True,
                              "elderly_services": ELDER,                                     # 5
                              "childcare_site_present": False},                              # 0 → 5
        "chain_share": {"chain_outlets": 290, "total_outlets": 1000},                       # 29% < 30% → 0
        "promotion": {"events": 6},                                                         # 6
        "digital": {"qr_payment_main_venues": True,                                         # 2
                    "smart_terminal_types": TERMINALS[:3],                                  # 2 − 0.8 = 1.2
                    "listed_share": F(7, 10), "resident_usage_share": F(1, 2),              # 2 + 2
                    "platform_exists": True},                                               # 2 → 9.2
        "harmony": {"level": "met"},                                                        # 8
    }
    service = score_service(RULES, facts, city_tier=1)
    assert [r.points for r in service.indicators] == [4, 10, 10, 8, F("7.8"), 5, 0, 6, F("9.2"), 8]
    # 4 + 10 + 10 + 8 + 7.8 + 5 + 0 + 6 + 9.2 + 8 = 68 → 不合格
    assert service.total == 68 and service.grade.label == "不合格"
    result = outcome(RULES, presence, service)
    assert result.initial_type.label == "品质型"
    assert result.final_type is None and result.stars is None
    assert result.reason == "服务“好不好”得分 68 分，低于 70 分，不授予类型"
    assert result.to_dict()["type_awarded"] is False


def test_outcome_when_presence_is_below_70():
    presence = score_presence(RULES, REQUIRED[1:] + QUALITY[:4])     # 45 + 20 = 65
    result = outcome(RULES, presence, score_service(RULES, FULL, city_tier=1))
    assert result.initial_type is None and result.final_type is None
    assert result.grade.label == "优秀"
    assert result.reason == "业态“有没有”得分 65 分，低于 70 分，不授予类型"
    both = outcome(RULES, presence, deducted(**{**EXACTLY_70, "digital": {"smart_terminal_types": []}}))
    # 70 − 1.6 (no terminal at all: the whole 2 points instead of 0.4) = 68.4
    assert both.reason == "业态“有没有”得分 65 分，低于 70 分；服务“好不好”得分 68.4 分，低于 70 分，不授予类型"


def test_outcome_refuses_results_from_other_rules():
    city = load_rules(Path(__file__).parent / "data" / "rules" / "city.yaml")
    presence = score_presence(city, REQUIRED)
    with pytest.raises(ValueError, match="同一份评价规则"):
        outcome(RULES, presence, score_service(RULES, FULL, city_tier=1))


# --- service as a whole, dicts, formatting --------------------------------------------------------

def test_service_missing_indicators_score_0_and_city_tier_is_required():
    result = score_service(RULES, {"harmony": {"level": "met"}}, city_tier=3)
    assert [r.key for r in result.indicators] == list(INDICATOR_KEYS)
    assert result.total == 8 and result.grade.label == "不合格"
    assert result.indicator("needs").steps == ("未填写，记 0 分",)
    with pytest.raises(TypeError):
        score_service(RULES, FULL)  # city_tier has no default: the chain rule depends on it


def test_indicator_to_dict_shape():
    data = score_indicator(RULES, "market_repair", {"market_present": True, "market_area_sufficient": True,
                                                     "market_services": ["fair_scale", "rapid_testing"],
                                                     "repair_categories": 7}).to_dict()
    assert data == {
        "key": "market_repair", "label": "一菜一修", "group": "服务体验", "points": 8.8, "max_points": 10.0,
        "steps": ["菜市场：有 → 5 分", "菜市场缺少明码标价（1 项 × 0.6） −0.6 分", "菜市场小计 4.4 分",
                  "小修小补维修品类 7 类，比 8 类少 1 类 −0.6 分 → 4.4 分"],
        "trial": False, "trial_parts": [], "missing": [],
        "facts": {"market_present": True, "market_area_sufficient": True,
                  "market_services": ["fair_scale", "rapid_testing"], "repair_categories": 7},
    }
    json.dumps(data)


def test_presence_to_dict_shape():
    data = score_presence(RULES, REQUIRED[1:] + QUALITY[:5]).to_dict()
    assert data["basic_points"] == 45.0 and data["quality_points"] == 25.0 and data["total"] == 70.0
    assert data["required_count"] == 15 and data["required_present"] == 14
    assert data["initial_type"]["label"] == "基础型" and data["initial_type"]["stars_label"] == "三星"
    assert data["trial"] is True and data["trial_parts"] == ["基本保障类业态", "品质提升类业态"]
    assert [q["label"] for q in data["quality_present"]][:2] == ["特色餐饮", "运动健身"]
    json.dumps(data)


@pytest.mark.parametrize("value, text", [(F(4), "4"), (F("3.2"), "3.2"), (F("0.6"), "0.6"), (F("-1.8"), "-1.8"),
                                         (F("68.0"), "68"), (F(1, 3), "0.33"), (F("0.05"), "0.05")])
def test_fmt(value, text):
    assert fmt(value) == text


@pytest.mark.parametrize("share, text", [(F(9, 10), "90.0%"), (F(8999, 10000), "89.99%"), (F(299, 1000), "29.9%"),
                                         (F(2, 3), "66.66%"), (F(1), "100.0%"), (F(0), "0.0%"),
                                         (F(89999, 100000), "89.99%")])
def test_fmt_percent_never_rounds_up_across_a_threshold(share, text):
    assert fmt_percent(share) == text
