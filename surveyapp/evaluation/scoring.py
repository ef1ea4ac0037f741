"""The scoring engine: facts and survey counts in, points with their reasons out.

Every number comes from a :class:`~surveyapp.evaluation.rules.Rules` file; this module only
knows the *shape* of each rule. Arithmetic is exact (:class:`fractions.Fraction`) because the
results decide subsidies: 5 − 3 × 0.6 must be 3.2 and a total of exactly 70 must reach the
70 band. Floats appear only in ``to_dict()``.

Each result carries ``steps``: plain-Chinese lines saying how the points were reached, so a
community officer can check a report without reading the rules file, and an assessor can see
which fact cost points. Facts not entered are listed in ``missing``; a part whose facts are
missing scores only what the given facts support (nothing is awarded on trust).
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from numbers import Integral, Real
from typing import Any

from surveyapp.analysis.indicators import PointRule

from .rules import (
    INDICATOR_KEYS, SATISFACTION_KEYS, SUMMARY_FIELDS, Band, FactField, IndicatorRules, Rules, SitePart,
)

ZERO = Fraction(0)
MINUS = "−"  # U+2212, as printed in the official tables


# --- number formatting (for the Chinese steps) ---------------------------------------------------

def fmt(value) -> str:
    """A point value as people write it: 4, 3.2, 0.6 — exact for decimals, never 3.1999999."""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    for digits in range(1, 7):
        scaled = value * 10 ** digits
        if scaled.denominator == 1:
            sign = "-" if scaled < 0 else ""
            text = str(abs(scaled.numerator)).rjust(digits + 1, "0")
            return f"{sign}{text[:-digits]}.{text[-digits:]}"
    return f"{float(value):.2f}"


def fmt_percent(share) -> str:
    """A share as a percentage, truncated (never rounded up) to two decimals, at least one shown.

    Truncation matters: 8999/10000 must read 89.99 %, not 90.0 %, beside a score of 10 points.
    """
    hundredths = math.floor(Fraction(share) * 10000)
    whole, frac = divmod(hundredths, 100)
    text = f"{whole}.{frac:02d}"
    if text.endswith("0"):
        text = text[:-1]
    return f"{text}%"


def _percent_rule(share) -> str:
    """A threshold from the rules (0.30 → 30%): exact, as written."""
    return f"{fmt(Fraction(share) * 100)}%"


# --- results -------------------------------------------------------------------------------------

def _band_dict(band: Band | None) -> dict[str, Any] | None:
    return None if band is None else band.to_dict()


@dataclass(frozen=True)
class IndicatorResult:
    """One indicator's points, with the steps that explain them and the facts still missing."""

    key: str
    label: str
    group: str | None
    points: Fraction
    max_points: Fraction
    steps: tuple[str, ...]
    trial: bool
    trial_parts: tuple[str, ...]
    missing: tuple[str, ...]
    facts: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key, "label": self.label, "group": self.group,
            "points": float(self.points), "max_points": float(self.max_points),
            "steps": list(self.steps), "trial": self.trial, "trial_parts": list(self.trial_parts),
            "missing": list(self.missing), "facts": _json_facts(self.facts),
        }


@dataclass(frozen=True)
class PresenceResult:
    """业态“有没有”: basic and quality points, the missing required types and the initial type."""

    basic_points: Fraction
    basic_max: Fraction
    quality_points: Fraction
    quality_max: Fraction
    total: Fraction
    max_points: Fraction
    required: tuple[str, ...]
    missing_required: tuple[str, ...]
    missing_required_labels: tuple[str, ...]
    quality_present: tuple[str, ...]
    quality_present_labels: tuple[str, ...]
    initial_type: Band | None
    steps: tuple[str, ...]
    trial: bool
    trial_parts: tuple[str, ...]
    rules_hash: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "basic_points": float(self.basic_points), "basic_max": float(self.basic_max),
            "quality_points": float(self.quality_points), "quality_max": float(self.quality_max),
            "total": float(self.total), "max_points": float(self.max_points),
            "required_count": len(self.required),
            "required_present": len(self.required) - len(self.missing_required),
            "missing_required": [{"code": c, "label": label}
                                 for c, label in zip(self.missing_required, self.missing_required_labels)],
            "quality_present": [{"code": c, "label": label}
                                for c, label in zip(self.quality_present, self.quality_present_labels)],
            "initial_type": _band_dict(self.initial_type),
            "steps": list(self.steps), "trial": self.trial, "trial_parts": list(self.trial_parts),
        }


@dataclass(frozen=True)
class ServiceResult:
    """服务“好不好”: the ten indicators in table order, the total and the grade."""

    indicators: tuple[IndicatorResult, ...]
    total: Fraction
    max_points: Fraction
    grade: Band
    steps: tuple[str, ...]
    trial: bool
    rules_hash: str

    def indicator(self, key: str) -> IndicatorResult:
        for result in self.indicators:
            if result.key == key:
                return result
        raise KeyError(key)

    def to_dict(self) -> dict[str, Any]:
        return {
            "indicators": [result.to_dict() for result in self.indicators],
            "total": float(self.total), "max_points": float(self.max_points),
            "grade": self.grade.to_dict(), "steps": list(self.steps), "trial": self.trial,
        }


@dataclass(frozen=True)
class Outcome:
    """The evaluation's conclusion: initial type, final type (gated by service), grade, reason."""

    presence_total: Fraction
    service_total: Fraction
    initial_type: Band | None
    final_type: Band | None
    grade: Band
    gate_points: Fraction
    reason: str | None
    trial: bool
    rules: Mapping[str, Any]

    @property
    def stars(self) -> int | None:
        return None if self.final_type is None else self.final_type.stars

    def to_dict(self) -> dict[str, Any]:
        return {
            "presence_total": float(self.presence_total), "service_total": float(self.service_total),
            "initial_type": _band_dict(self.initial_type), "final_type": _band_dict(self.final_type),
            "stars": self.stars, "grade": self.grade.to_dict(), "gate_points": float(self.gate_points),
            "type_awarded": self.final_type is not None, "reason": self.reason, "trial": self.trial,
            "rules": dict(self.rules),
        }


def _json_facts(facts: Mapping[str, Any]) -> dict[str, Any]:
    out = {}
    for name, value in facts.items():
        if isinstance(value, frozenset):
            out[name] = sorted(value)
        elif isinstance(value, Fraction):
            out[name] = float(value)
        else:
            out[name] = value
    return out


# --- fact validation -----------------------------------------------------------------------------

def _fields_for(rules: Rules, key: str) -> tuple[FactField, ...]:
    if key in SATISFACTION_KEYS:
        return SUMMARY_FIELDS
    return tuple(rules.indicator_fields(key))


def normalize_facts(rules: Rules, key: str, facts: Mapping[str, Any] | None) -> dict[str, Any]:
    """Check entered facts against :meth:`Rules.indicator_fields` and make them exact.

    Counts stay ints, shares become Fractions (a float goes through its shortest repr, so 0.7
    is 7/10), multi-choices become frozensets. ``None`` means "not entered" and is dropped.
    Raises ValueError with a Chinese message naming the field.
    """
    indicator = rules.indicator(key)
    if facts is None:
        return {}
    if not isinstance(facts, Mapping):
        raise ValueError(f"指标“{indicator.label}”的填报内容应为“名称: 值”的映射")
    fields = {f.name: f for f in _fields_for(rules, key)}
    out: dict[str, Any] = {}
    for name, value in facts.items():
        if name not in fields:
            known = "、".join(fields) or "无（来自问卷汇总）"
            raise ValueError(f"指标“{indicator.label}”没有填报项“{name}”（可填：{known}）")
        if value is None:
            continue
        out[name] = _check_value(fields[name], value)
    if key in SATISFACTION_KEYS and "satisfied" in out and "answered" in out and out["satisfied"] > out["answered"]:
        raise ValueError(f"“{fields['satisfied'].label}”（satisfied）不能大于“{fields['answered'].label}”（answered）")
    if key == "chain_share" and "chain_outlets" in out and "total_outlets" in out \
            and out["chain_outlets"] > out["total_outlets"]:
        raise ValueError(f"“{fields['chain_outlets'].label}”（chain_outlets）不能大于"
                         f"“{fields['total_outlets'].label}”（total_outlets）")
    # Field order, so stored facts and "missing" lists read like the inspection form.
    return {name: out[name] for name in fields if name in out}


def _check_value(f: FactField, value: Any) -> Any:
    where = f"“{f.label}”（{f.name}）"
    if f.kind == "bool":
        if not isinstance(value, bool):
            raise ValueError(f"{where}应为是或否，收到 {value!r}")
        return value
    if f.kind == "int":
        if isinstance(value, bool) or not isinstance(value, Integral):
            raise ValueError(f"{where}应为整数，收到 {value!r}")
        value = int(value)
        if f.min is not None and value < f.min:
            raise ValueError(f"{where}不能小于 {f.min}，收到 {value}")
        if f.max is not None and value > f.max:
            raise ValueError(f"{where}不能大于 {f.max}，收到 {value}")
        return value
    if f.kind == "share":
        if isinstance(value, bool) or not isinstance(value, (Real, Decimal)):
            raise ValueError(f"{where}应为 0 到 1 之间的小数，收到 {value!r}")
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"{where}应为 0 到 1 之间的小数，收到 {value!r}")
        share = Fraction(repr(value)) if isinstance(value, float) else Fraction(value)
        if not 0 <= share <= 1:
            raise ValueError(f"{where}应为 0 到 1 之间的小数，收到 {value!r}")
        return share
    codes = {code for code, _ in f.choices}
    if f.kind == "choice":
        if not isinstance(value, str) or value not in codes:
            raise ValueError(f"{where}应为以下之一：{'、'.join(codes_in_order(f))}，收到 {value!r}")
        return value
    if f.kind == "multi":
        if isinstance(value, (str, bytes)) or not isinstance(value, Iterable) or isinstance(value, Mapping):
            raise ValueError(f"{where}应为选项代码的列表，收到 {value!r}")
        chosen = list(value)
        for code in chosen:
            if not isinstance(code, str) or code not in codes:
                raise ValueError(f"{where}中的“{code}”不是有效选项（可选：{'、'.join(codes_in_order(f))}）")
        return frozenset(chosen)
    raise ValueError(f"{where}的类型 {f.kind!r} 未知")  # pragma: no cover - kinds are fixed in rules.py


def codes_in_order(f: FactField) -> list[str]:
    return [code for code, _ in f.choices]


class _Facts:
    """Facts of one indicator; records which needed facts were absent, for ``missing``."""

    def __init__(self, facts: dict[str, Any]):
        self.facts = facts
        self.missing: list[str] = []

    def get(self, name: str) -> Any:
        value = self.facts.get(name)
        if value is None and name not in self.missing:
            self.missing.append(name)
        return value


def _clamp(value: Fraction, high: Fraction) -> Fraction:
    return max(ZERO, min(value, high))


# --- the indicators ------------------------------------------------------------------------------

def score_indicator(rules: Rules, key: str, facts: Mapping[str, Any] | None, *, city_tier: int = 3) -> IndicatorResult:
    """Score one indicator of 服务“好不好” from the facts the assessor entered.

    For #2/#3 ``facts`` is ``{"satisfied": int, "answered": int, "sample_met": bool}`` from the
    campaign summary (see :func:`satisfaction_facts`). ``city_tier`` matters only for
    ``chain_share``. The result is never below 0 or above the indicator's maximum.
    """
    indicator = rules.indicator(key)
    clean = normalize_facts(rules, key, facts)
    fields = [f.name for f in _fields_for(rules, key)]
    if key == "chain_share":
        indicator.spec.tier(city_tier)  # an unknown tier is an error even before facts are entered
    if not clean:
        return _result(indicator, ZERO, ["未填写，记 0 分"], fields, clean)
    given = _Facts(clean)
    points, steps = _SCORERS[key](rules, indicator, given, city_tier)
    points = _clamp(points, indicator.max_points)
    order = {name: i for i, name in enumerate(fields)}
    return _result(indicator, points, steps, sorted(given.missing, key=order.__getitem__), clean)


def _result(indicator: IndicatorRules, points: Fraction, steps, missing, facts) -> IndicatorResult:
    return IndicatorResult(
        key=indicator.key, label=indicator.label, group=indicator.group, points=Fraction(points),
        max_points=indicator.max_points, steps=tuple(steps), trial=indicator.trial,
        trial_parts=indicator.trial_parts, missing=tuple(missing), facts=facts,
    )


def _yes_no(part, value: bool | None) -> tuple[Fraction, str]:
    if value is None:
        return ZERO, f"{part.label}：未填写 → 0 分"
    if value:
        return part.points, f"{part.label}：是 → {fmt(part.points)} 分"
    return ZERO, f"{part.label}：否 → 0 分"


def _needs(rules, indicator, facts: _Facts, city_tier):
    spec = indicator.spec
    total, steps = ZERO, []
    for part, name in ((spec.lists_exist, "lists_exist"), (spec.projects_carried_out, "projects_carried_out")):
        points, step = _yes_no(part, facts.get(name))
        total += points
        steps.append(step)
    return total, steps


def _satisfaction(rules, indicator, facts: _Facts, city_tier):
    spec = indicator.spec
    rate_text = f"{fmt(rules.service.sample_rate * 100)}%"
    satisfied, answered, sample_met = facts.get("satisfied"), facts.get("answered"), facts.get("sample_met")
    if satisfied is None or answered is None:
        return ZERO, ["满意人数或有效回答人数未填写 → 0 分"]
    if answered == 0:
        return ZERO, ["无有效回答 → 0 分"]
    share = f"满意率 {fmt_percent(Fraction(satisfied, answered))}（{satisfied}/{answered}）"
    if sample_met is None:
        return ZERO, [f"{share}，样本是否达到 {rate_text} 要求未填写 → 0 分"]
    if not sample_met:
        return ZERO, [f"{share}，样本未达到 {rate_text} 要求 → 0 分"]
    rule: PointRule = spec.point_rule()
    points = Fraction(rule.points(satisfied, answered, True))
    if points == spec.full_points:
        why = ""
    elif points == spec.partial_points:
        why = f"，低于 {_percent_rule(spec.full_rate)}"
    else:
        why = f"，低于 {_percent_rule(spec.partial_rate)}"
    return points, [f"{share}，样本达到 {rate_text} 要求{why} → {fmt(points)} 分"]


def _store_breakfast(rules, indicator, facts: _Facts, city_tier):
    spec = indicator.spec
    total, steps = ZERO, []
    services, stores = facts.get("addon_services"), facts.get("stores_24h")
    if services is None or stores is None:
        steps.append(f"{spec.store.label}：未填写 → 0 分")
    else:
        seen = f"{spec.store.label}便民服务 {services} 项、24小时门店 {stores} 家"
        tier = next((t for t in spec.store.tiers if services >= t.min_services and stores >= t.min_stores_24h), None)
        if tier is None:
            low = spec.store.tiers[-1]
            steps.append(f"{seen}，未达到 {low.min_services} 项且 {low.min_stores_24h} 家 → 0 分")
        else:
            total += tier.points
            steps.append(f"{seen} → {fmt(tier.points)} 分")
    varieties = facts.get("breakfast_varieties")
    if varieties is None:
        steps.append(f"{spec.breakfast.label}：未填写 → 0 分")
    else:
        seen = f"{spec.breakfast.label}主食和汤粥 {varieties} 种"
        tier = next((t for t in spec.breakfast.tiers if varieties >= t.min_varieties), None)
        if tier is None:
            steps.append(f"{seen}，少于 {spec.breakfast.tiers[-1].min_varieties} 种 → 0 分")
        else:
            total += tier.points
            steps.append(f"{seen} → {fmt(tier.points)} 分")
    for part, name in ((spec.breakfast_delivery, "breakfast_delivery"), (spec.retail_delivery, "retail_delivery")):
        points, step = _yes_no(part, facts.get(name))
        total += points
        steps.append(step)
    return total, steps


def _site(part: SitePart, facts: _Facts, present_name: str, prefix: str) -> tuple[Fraction, list[str]]:
    """A site up to standard: full points, less the area and missing-service deductions."""
    present = facts.get(present_name)
    if present is None:
        return ZERO, [f"{part.label}：未填写 → 0 分"]
    if not present:
        return ZERO, [f"{part.label}：无 → 0 分"]
    points = part.points
    steps = [f"{part.label}：有 → {fmt(part.points)} 分"]
    area = facts.get(f"{prefix}_area_sufficient")
    if area is None:
        points -= part.area_short
        steps.append(f"{part.label}面积未填写，按不足计 {MINUS}{fmt(part.area_short)} 分")
    elif not area:
        points -= part.area_short
        steps.append(f"{part.label}面积不足 {MINUS}{fmt(part.area_short)} 分")
    offered = facts.get(f"{prefix}_services")
    lacking = [option for option in part.services.choices if offered is None or option.code not in offered]
    if lacking:
        deduction = part.services.each_missing * len(lacking)
        points -= deduction
        names = "、".join(option.label for option in lacking)
        if offered is None:
            steps.append(f"{part.label}服务未填写，按缺少{names}计 {MINUS}{fmt(deduction)} 分")
        else:
            steps.append(f"{part.label}缺少{names}（{len(lacking)} 项 × {fmt(part.services.each_missing)}）"
                         f" {MINUS}{fmt(deduction)} 分")
    points = _clamp(points, part.points)
    if len(steps) > 1:
        steps.append(f"{part.label}小计 {fmt(points)} 分")
    return points, steps


def _market_repair(rules, indicator, facts: _Facts, city_tier):
    spec = indicator.spec
    total, steps = _site(spec.market, facts, "market_present", "market")
    repair = spec.repair
    categories = facts.get("repair_categories")
    if categories is None:
        steps.append(f"{repair.label}：未填写 → 0 分")
    elif categories == 0 and repair.zero_when_none:
        steps.append(f"{repair.label}：无维修服务 → 0 分")
    elif categories >= repair.min_categories:
        total += repair.points
        steps.append(f"{repair.label}维修品类 {categories} 类 → {fmt(repair.points)} 分")
    else:
        short = repair.min_categories - categories
        points = _clamp(repair.points - repair.each_missing * short, repair.points)
        total += points
        steps.append(f"{repair.label}维修品类 {categories} 类，比 {repair.min_categories} 类少 {short} 类"
                     f" {MINUS}{fmt(repair.each_missing * short)} 分 → {fmt(points)} 分")
    return total, steps


def _elderly_childcare(rules, indicator, facts: _Facts, city_tier):
    spec = indicator.spec
    elderly, steps = _site(spec.elderly, facts, "elderly_site_present", "elderly")
    childcare, more = _site(spec.childcare, facts, "childcare_site_present", "childcare")
    return elderly + childcare, steps + more


def _chain_share(rules, indicator, facts: _Facts, city_tier):
    spec = indicator.spec
    tier = spec.tier(city_tier)
    chain, total = facts.get("chain_outlets"), facts.get("total_outlets")
    if chain is None or total is None:
        return ZERO, ["连锁网点数或网点总数未填写 → 0 分"]
    if total == 0:
        return ZERO, ["商业网点总数为 0 → 0 分"]
    share = Fraction(chain, total)
    seen = f"连锁化率 {fmt_percent(share)}（{chain}/{total}），{tier.label}要求不低于 {_percent_rule(tier.min_share)}"
    if share >= tier.min_share:
        return spec.points, [f"{seen} → {fmt(spec.points)} 分"]
    return ZERO, [f"{seen}，未达到 → 0 分"]


def _promotion(rules, indicator, facts: _Facts, city_tier):
    per_event = indicator.spec.points_per_event
    events = facts.get("events")
    if events is None:
        return ZERO, ["促消费活动场次未填写 → 0 分"]
    points = min(per_event * events, indicator.max_points)
    return points, [f"促消费活动 {events} 场 × {fmt(per_event)} 分，最高 {fmt(indicator.max_points)} 分"
                    f" → {fmt(points)} 分"]


def _share_part(part, share: Fraction | None) -> tuple[Fraction, str]:
    if share is None:
        return ZERO, f"{part.label}：未填写 → 0 分"
    seen = f"{part.label} {fmt_percent(share)}，要求不低于 {_percent_rule(part.min_share)}"
    if share >= part.min_share:
        return part.points, f"{seen} → {fmt(part.points)} 分"
    return ZERO, f"{seen}，未达到 → 0 分"


def _digital(rules, indicator, facts: _Facts, city_tier):
    spec = indicator.spec
    total, steps = ZERO, []
    points, step = _yes_no(spec.qr_payment, facts.get("qr_payment_main_venues"))
    total += points
    steps.append(step)
    terminals = spec.smart_terminals
    chosen = facts.get("smart_terminal_types")
    if chosen is None:
        steps.append(f"{terminals.label}：未填写 → 0 分")
    elif not chosen and terminals.zero_when_none:
        steps.append(f"{terminals.label}：无 → 0 分")
    else:
        lacking = [option for option in terminals.choices if option.code not in chosen]
        if not lacking:
            total += terminals.points
            steps.append(f"{terminals.label}：{'、'.join(o.label for o in terminals.choices)}齐全"
                         f" → {fmt(terminals.points)} 分")
        else:
            deduction = terminals.each_missing * len(lacking)
            points = _clamp(terminals.points - deduction, terminals.points)
            total += points
            steps.append(f"{terminals.label}缺少{'、'.join(o.label for o in lacking)}"
                         f"（{len(lacking)} 类 × {fmt(terminals.each_missing)}） {MINUS}{fmt(deduction)} 分"
                         f" → {fmt(points)} 分")
    for part, name in ((spec.listed_share, "listed_share"), (spec.resident_usage, "resident_usage_share")):
        points, step = _share_part(part, facts.get(name))
        total += points
        steps.append(step)
    points, step = _yes_no(spec.platform, facts.get("platform_exists"))
    total += points
    steps.append(step)
    return total, steps


def _harmony(rules, indicator, facts: _Facts, city_tier):
    level = facts.get("level")
    if level is None:
        return ZERO, [f"{indicator.label}：未填写 → 0 分"]
    for option, points in indicator.spec.levels:
        if option.code == level:
            return points, [f"{indicator.label}：{option.label} → {fmt(points)} 分"]
    raise ValueError(f"未知的商居和谐等级“{level}”")  # pragma: no cover - normalize_facts checks codes


_SCORERS = {
    "needs": _needs,
    "business_satisfaction": _satisfaction,
    "service_satisfaction": _satisfaction,
    "store_breakfast": _store_breakfast,
    "market_repair": _market_repair,
    "elderly_childcare": _elderly_childcare,
    "chain_share": _chain_share,
    "promotion": _promotion,
    "digital": _digital,
    "harmony": _harmony,
}
assert set(_SCORERS) == set(INDICATOR_KEYS)


def satisfaction_facts(summary: Mapping[str, Any], key: str) -> dict[str, Any]:
    """The #2/#3 inputs from a campaign summary document (DESIGN.md's contract).

    Takes ``indicators[key].satisfied/answered`` and ``sample.met``; a summary without the
    indicator gives ``{}`` (scored 0, 未填写).
    """
    if key not in SATISFACTION_KEYS:
        raise ValueError(f"指标“{key}”不来自问卷汇总")
    item = (summary.get("indicators") or {}).get(key)
    if not item:
        return {}
    return {"satisfied": item.get("satisfied"), "answered": item.get("answered"),
            "sample_met": (summary.get("sample") or {}).get("met")}


# --- the tables ----------------------------------------------------------------------------------

def _type_band(bands: tuple[Band, ...], total: Fraction) -> Band | None:
    return next((band for band in bands if total >= band.min_points), None)


def score_presence(rules: Rules, present_codes: Iterable[str]) -> PresenceResult:
    """业态“有没有”: basic points by how many REQUIRED types are missing, quality points per type.

    ``present_codes`` are catalogue codes of the types found in the circle. Basic types that
    are not required earn nothing extra (the official table counts the city's 必备 list only).
    """
    if isinstance(present_codes, (str, bytes)) or isinstance(present_codes, Mapping):
        raise ValueError("业态应为业态代码的列表")
    catalogue = rules.catalogue
    present = set()
    for code in present_codes:
        if not isinstance(code, str) or code not in catalogue:
            raise ValueError(f"“{code}”不是业态目录“{catalogue.title or catalogue.name}”（{catalogue.version}）中的业态代码")
        present.add(code)
    p = rules.presence
    missing = tuple(code for code in rules.required_types if code not in present)
    tier = next((t for t in p.basic_tiers if len(missing) <= t.max_missing), None)
    basic = p.basic_otherwise if tier is None else tier.points
    have = len(rules.required_types) - len(missing)
    labels = tuple(catalogue.label(code) for code in missing)
    if missing:
        basic_step = (f"{p.basic_label}：必备 {len(rules.required_types)} 类，已有 {have} 类，"
                      f"缺 {len(missing)} 类（{'、'.join(labels)}）→ {fmt(basic)} 分")
    else:
        basic_step = f"{p.basic_label}：必备 {len(rules.required_types)} 类齐全 → {fmt(basic)} 分"
    quality_codes = tuple(entry.code for entry in catalogue.quality if entry.code in present)
    raw = p.points_per_quality_type * len(quality_codes)
    quality = min(raw, p.quality_max)
    capped = f"，最高 {fmt(p.quality_max)} 分" if raw > p.quality_max else ""
    quality_step = (f"{p.quality_label}：{len(quality_codes)} 类 × {fmt(p.points_per_quality_type)} 分"
                    f"{capped} → {fmt(quality)} 分")
    total = basic + quality
    band = _type_band(p.types, total)
    if band is None:
        lowest = p.types[-1].min_points
        total_step = f"{p.label}合计 {fmt(total)} 分，低于 {fmt(lowest)} 分，无类型"
    else:
        total_step = f"{p.label}合计 {fmt(total)} 分 → {band.label}（{band.stars_label}）"
    return PresenceResult(
        basic_points=basic, basic_max=p.basic_max, quality_points=quality, quality_max=p.quality_max,
        total=total, max_points=p.max_points, required=rules.required_types, missing_required=missing,
        missing_required_labels=labels, quality_present=quality_codes,
        quality_present_labels=tuple(catalogue.label(code) for code in quality_codes),
        initial_type=band, steps=(basic_step, quality_step, total_step), trial=p.trial,
        trial_parts=p.trial_parts, rules_hash=rules.content_hash,
    )


def _grade(rules: Rules, total: Fraction) -> Band:
    return _type_band(rules.service.grades, total)  # the last grade starts at 0 (checked at load)


def score_service(rules: Rules, facts_by_key: Mapping[str, Mapping[str, Any] | None], *,
                  city_tier: int) -> ServiceResult:
    """服务“好不好”: all ten indicators in table order (an indicator not given scores 0), total, grade."""
    unknown = [key for key in facts_by_key if key not in rules.indicator_keys]
    if unknown:
        raise ValueError(f"未知的评价指标“{unknown[0]}”")
    results = tuple(score_indicator(rules, key, facts_by_key.get(key), city_tier=city_tier)
                    for key in rules.indicator_keys)
    total = sum((result.points for result in results), ZERO)
    grade = _grade(rules, total)
    return ServiceResult(
        indicators=results, total=total, max_points=rules.service.max_points, grade=grade,
        steps=(f"{rules.service.label}合计 {fmt(total)} 分 → {grade.label}",),
        trial=any(result.trial for result in results), rules_hash=rules.content_hash,
    )


def outcome(rules: Rules, presence: PresenceResult, service: ServiceResult) -> Outcome:
    """The conclusion: the presence type stands only if the service total reaches the gate.

    Refuses results scored under another rules file: mixing editions would make a type
    that neither file actually gives.
    """
    if presence.rules_hash != rules.content_hash or service.rules_hash != rules.content_hash:
        raise ValueError("业态和服务得分必须使用同一份评价规则计算")
    gate = rules.gate_points
    reasons = []
    if presence.initial_type is None:
        lowest = rules.presence.types[-1].min_points
        reasons.append(f"{rules.presence.label}得分 {fmt(presence.total)} 分，低于 {fmt(lowest)} 分")
    if service.total < gate:
        reasons.append(f"{rules.service.label}得分 {fmt(service.total)} 分，低于 {fmt(gate)} 分")
    final = None if reasons else presence.initial_type
    reason = "；".join(reasons) + "，不授予类型" if reasons else None
    return Outcome(
        presence_total=presence.total, service_total=service.total, initial_type=presence.initial_type,
        final_type=final, grade=service.grade, gate_points=gate, reason=reason,
        trial=presence.trial or service.trial, rules=rules.identity(),
    )


__all__ = [
    "IndicatorResult", "Outcome", "PresenceResult", "ServiceResult", "fmt", "fmt_percent", "normalize_facts",
    "outcome", "satisfaction_facts", "score_indicator", "score_presence", "score_service",
]
