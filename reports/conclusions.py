"""The 结论与建议 chapter: plain sentences generated from the figures of the report.

A client reads this chapter first after the verdict, so it says in ordinary words what cost
points and what would win them back: every service indicator below its maximum (with what the
rules reward), the required outlet types that are missing, the detail items residents are least
satisfied with (with their error margins), and the outlet types residents ask for most, with
whether the community's project list already answers them.

Pure: the summary document, the evaluation score sheet and the project list (plain dicts) in,
a list of ``{"title", "items"}`` out. Every number is formatted with the report's own helpers,
so the chapter never disagrees with the tables.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from surveyapp.charts import percent

from .numbers import number_or_none as _num

#: Satisfaction thresholds of indicators #2 and #3 and the points they earn (DOMAIN.md).
SATISFACTION_BANDS = ((0.90, "16"), (0.80, "10"))
SATISFACTION_KEYS = ("business_satisfaction", "service_satisfaction")
#: How many detail items and demands the chapter names.
LOWEST_ITEMS = 3
TOP_DEMANDS = 3

#: What the rules reward, per indicator, in the words of the official table.
ADVICE = {
    "needs": "建立居民需求清单和项目清单，并按清单推进项目。",
    "store_breakfast": "增加便利店的便民服务项目和 24 小时门店，丰富早餐主食和汤粥品种，提供早餐和商品送货到家。",
    "market_repair": "菜市场补齐快速检测、公平秤、价格公示等设施并保证营业面积；小修小补的维修品类增加到 8 类以上。",
    "elderly_childcare": "养老和托育服务站点补齐缺少的服务项目，面积不足的予以扩充。",
    "chain_share": "引进品牌连锁网点，使连锁网点占比达到所在城市的要求。",
    "promotion": "每个社区每年组织促消费活动，每场计 1 分，最多 6 分。",
    "digital": "推广扫码支付，补齐智能终端的类型，动员商户上线生活圈地图或平台，引导居民使用数字化服务。",
    "harmony": "治理噪音、占道经营、油烟等扰民问题，做到商居和谐。",
}
GENERIC_ADVICE = "对照计分过程，补齐失分的条件。"
#: Marks of a scoring step that lost points (see surveyapp.evaluation.scoring).
LOSS_MARKS = ("−", "→ 0 分", "未达到", "否 →", "缺少", "不足")


def _points(value: Any) -> str:
    v = _num(value)
    if v is None:
        return "—"
    return f"{v:g}" if v == round(v, 1) else f"{v:.1f}"


def _rate(value: Any) -> str:
    """One decimal, never rounded up onto a threshold it missed (as everywhere in the report)."""
    v = _num(value)
    if v is None:
        return "—"
    missed = [t for t, _ in SATISFACTION_BANDS if v < t]
    return percent(v, below=min(missed) if missed else None)


def _margin(low: Any, high: Any) -> str:
    lo, hi = _num(low), _num(high)
    if lo is None or hi is None:
        return ""
    return f"误差范围 {percent(lo)}–{percent(hi)}"


def verdict_sentence(evaluation: Mapping[str, Any]) -> str:
    """One sentence: both totals, the grade and the type awarded (or why none is)."""
    presence, service, outcome = evaluation["presence"], evaluation["service"], evaluation["outcome"]
    initial = presence.get("initial_type")
    final = outcome.get("final_type")
    text = (f"业态“有没有”得 {_points(presence['total'])} 分"
            f"（{initial['label'] if initial else '未达到基础型的分数线'}），"
            f"服务“好不好”得 {_points(service['total'])} 分（{outcome['grade']['label']}）。")
    if final:
        text += f"评定为{final['label']}（{final['stars_label']}）便民生活圈。"
    else:
        text += "不授予类型" + (f"：{outcome['reason']}" if outcome.get("reason") else "。")
    return text


def _satisfaction_advice(key: str, item: Mapping[str, Any], sample: Mapping[str, Any]) -> str:
    if not sample.get("met"):
        shortfall = sample.get("shortfall")
        return (f"有效问卷未达到服务人口 {(_num(sample.get('rate')) or 0.03) * 100:g}% 的要求"
                + (f"（还差 {int(shortfall)} 份）" if _num(shortfall) else "")
                + "，按规则计 0 分；补足有效问卷后按满意率计分。")
    if item.get("assessable") is False or _num(item.get("rate")) is None:
        return "没有可评价的回答（全部为“不清楚”或无人回答），无法计算满意率，计 0 分。"
    rate = _num(item["rate"])
    if rate >= 0.90:
        return f"满意率 {_rate(rate)}，达到 90%，得满分 16 分。"
    if rate < 0.80:
        return f"满意率 {_rate(rate)}，低于 80% 计 0 分；达到 80% 可得 10 分，达到 90% 可得 16 分。"
    gap = math.ceil(round((0.90 - rate) * 1000, 6)) / 10   # tenths of a point, rounded up (float noise off)
    return f"满意率 {_rate(rate)}，达到 90% 可得满分 16 分（还差约 {gap:g} 个百分点）。"


def lost_points(evaluation: Mapping[str, Any], summary: Mapping[str, Any] | None) -> list[str]:
    """A sentence per service indicator below its maximum: what it scored, what lost the
    points, and what would raise it."""
    lines = []
    sample = (summary or {}).get("sample") or (evaluation.get("survey") or {}).get("sample") or {}
    indicators = (summary or {}).get("indicators") or (evaluation.get("survey") or {}).get("indicators") or {}
    for number, item in enumerate(evaluation["service"]["indicators"], start=1):
        points, maximum = _num(item.get("points")) or 0.0, _num(item.get("max_points")) or 0.0
        if points >= maximum:
            continue
        head = f"第 {number} 项“{item['label']}”得 {_points(points)} / {_points(maximum)} 分："
        if item.get("not_applicable"):
            lines.append(head + "本生活圈标为不适用，按规则计 0 分"
                         + (f"（理由：{item['note']}）。" if item.get("note") else "。"))
            continue
        if item["key"] in SATISFACTION_KEYS:
            lines.append(head + _satisfaction_advice(item["key"], indicators.get(item["key"]) or {}, sample))
            continue
        losses = [step for step in item.get("steps") or [] if any(mark in step for mark in LOSS_MARKS)]
        text = head
        if losses:
            text += "失分在于" + "；".join(losses) + "。"
        lines.append(text + "改进建议：" + ADVICE.get(item["key"], GENERIC_ADVICE))
    return lines


def presence_gaps(evaluation: Mapping[str, Any]) -> list[str]:
    """Missing required types, and what completing them (and the quality types) would give."""
    presence = evaluation["presence"]
    lines = []
    missing = presence.get("missing_required") or []
    if missing:
        names = "、".join(m["label"] for m in missing)
        raised = (_num(presence["total"]) or 0) - (_num(presence.get("basic_points")) or 0) \
            + (_num(presence.get("basic_max")) or 0)
        lines.append(f"必备的基本保障类业态缺 {len(missing)} 类：{names}。全部补齐后，基本保障类可得满分 "
                     f"{_points(presence.get('basic_max'))} 分，业态“有没有”合计可达 {_points(raised)} 分。")
    quality, quality_max = _num(presence.get("quality_points")), _num(presence.get("quality_max"))
    if quality is not None and quality_max is not None and quality < quality_max:
        lines.append(f"品质提升类业态已有 {len(presence.get('quality_present') or [])} 类，得 {_points(quality)} / "
                     f"{_points(quality_max)} 分；增加品质提升类业态可继续加分。")
    return lines


def lowest_items(summary: Mapping[str, Any], count: int = LOWEST_ITEMS) -> list[str]:
    """The detail items with the lowest satisfaction rates, with their error margins."""
    rated = [d for d in summary.get("details") or []
             if d.get("assessable", True) is not False and _num(d.get("rate")) is not None]
    rated.sort(key=lambda d: (_num(d["rate"]), str(d.get("label"))))
    lines = []
    for d in rated[:count]:
        margin = _margin(d.get("ci_low"), d.get("ci_high"))
        lines.append(f"{d.get('label')}：满意率 {_rate(d['rate'])}" + (f"（{margin}）" if margin else "") + "。")
    unassessable = [d.get("label") for d in summary.get("details") or [] if d.get("assessable") is False]
    if unassessable:
        lines.append("无法评价（回答全部为“不清楚”）：" + "、".join(map(str, unassessable)) + "。")
    return lines


def _projects_for(code: str, projects: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [p for p in projects if p.get("type_code") == code or code in (p.get("demands") or [])]


def top_demands(summary: Mapping[str, Any], projects: Sequence[Mapping[str, Any]] | None,
                count: int = TOP_DEMANDS) -> list[str]:
    """The outlet types residents ask for most (first demand question), and whether the
    community's project list has a project for each."""
    rankings = [r for r in summary.get("demand") or [] if not r.get("suppressed")]
    if not rankings:
        return []
    lines = []
    for item in [i for i in rankings[0].get("items") or [] if _num(i.get("count"))][:count]:
        margin = _margin(item.get("ci_low"), item.get("ci_high"))
        text = (f"{item.get('label') or item.get('code')}：{percent(_num(item.get('share')) or 0)} 的受访居民提及"
                + (f"（{margin}）" if margin else ""))
        if projects is not None:
            matching = _projects_for(item.get("code"), projects)
            if matching:
                text += "；已有项目：" + "、".join(f"“{p['title']}”（{p.get('status_label') or p.get('status')}）"
                                                for p in matching)
            else:
                text += "；项目清单中还没有对应项目，建议社区研究是否列入"
        lines.append(text + "。")
    return lines


def conclusions(summary: Mapping[str, Any], evaluation: Mapping[str, Any] | None = None,
                projects: Sequence[Mapping[str, Any]] | None = None) -> list[dict]:
    """The chapter's parts in order; a part with nothing to say is left out.

    ``projects``: the circle's project list (``title``, ``type_code``, ``demands`` codes,
    ``status_label``); ``None`` when it is not known, and then nothing is said about projects.
    """
    parts = []
    if evaluation is not None:
        parts.append({"title": "评价结论", "items": [verdict_sentence(evaluation)]})
        lost = lost_points(evaluation, summary)
        parts.append({"title": "未得满分的指标及提升办法",
                      "items": lost or ["十项服务指标均得满分。"]})
        gaps = presence_gaps(evaluation)
        if gaps:
            parts.append({"title": "业态配置", "items": gaps})
    else:
        sample = summary.get("sample") or {}
        items = []
        for key in SATISFACTION_KEYS:
            item = (summary.get("indicators") or {}).get(key)
            if item:
                items.append(f"{item.get('label') or key}：" + _satisfaction_advice(key, item, sample))
        if items:
            parts.append({"title": "满意度指标", "items": items})
    lowest = lowest_items(summary)
    if lowest:
        parts.append({"title": "居民最不满意的细项（建议优先改进）", "items": lowest})
    demands = top_demands(summary, projects)
    if demands:
        parts.append({"title": "居民最希望增加的业态", "items": demands})
    return parts
