"""The 评价报告 of a resident-survey campaign: a summary document (``surveyapp.results.summary``)
in, PDF bytes out.

:func:`report_context` turns the summary into display-ready rows (every number formatted here,
once, with the same rounding as the charts); ``templates/reports/campaign.html`` lays them out.
The evaluation part (inventory, ten indicators) plugs in through ``evaluation``: see
``templates/reports/_evaluation_result.html`` and ``_evaluation_sections.html``.
"""
from __future__ import annotations

import copy
import hashlib
import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from surveyapp.charts import percent
from surveyapp.models.response import CHANNEL_NAMES
from surveyapp.results.figures import breakdown_pair_figures, summary_figures

from .conclusions import conclusions
from .glossary import glossary
from .walk_coverage import coverage_context
from .rendering import CHINA_TZ, chinese_date, pdf_timestamp, render_pdf
from .numbers import number_or_none as _num

#: The official score bands of indicators #2 and #3 (DOMAIN.md).
THRESHOLDS = (0.80, 0.90)
#: Groups smaller than this never show a figure (PIPL; DESIGN.md).
MIN_GROUP = 5
SUPPRESSED = "少于5人，不显示"

INDICATOR_ORDER = ("business_satisfaction", "service_satisfaction")
INDICATOR_NUMBERS = {"business_satisfaction": 2, "service_satisfaction": 3}
GROUP_QUESTION_LABELS = {"community": ("社区", "按社区"), "age_band": ("年龄段", "按年龄段")}
DETAIL_GROUPS = (("business_detail", "业态细项"), ("service_detail", "服务细项"))
SECTION_LABELS = {"about": "基本情况", "overall": "总体满意度", "business_detail": "业态细项满意度",
                  "service_detail": "服务细项满意度", "needs": "便利服务与居民需求"}
TYPE_LABELS = {"select_one": "单选题", "select_multiple": "多选题", "likert5": "五级满意度题",
               "integer": "数字题（分钟）"}
CHANNEL_LABELS = {code: names.report for code, names in CHANNEL_NAMES.items()}
CI_METHOD_LABELS = {
    "wilson-fpc": "威尔逊得分区间，按有限总体校正后的有效样本量计算",
    "wilson-kish-fpc": "威尔逊得分区间，按基什有效样本量及有限总体校正计算",
    "wilson": "威尔逊得分区间",
}
QUADRANT_LABELS = {"concentrate": "重点改进", "keep_up": "继续保持", "low_priority": "次要改进",
                   "possible_overkill": "过度投入"}


# --- number formatting ------------------------------------------------------------------------

def rate_text(value: Any) -> str:
    """A satisfaction rate as printed everywhere in the report (and in the charts): one decimal,
    half up, never rounded up onto a threshold it missed (0.89996 → "89.9%")."""
    v = _num(value)
    if v is None:
        return "—"
    missed = [t for t in THRESHOLDS if v < t]
    return percent(v, below=min(missed) if missed else None)


def pct_text(value: Any, decimals: int = 1) -> str:
    v = _num(value)
    return "—" if v is None else percent(v, decimals)


def interval_text(low: Any, high: Any) -> str:
    lo, hi = _num(low), _num(high)
    if lo is None or hi is None:
        return "—"
    return f"{percent(lo)} – {percent(hi)}"


def count_text(value: Any) -> str:
    v = _num(value)
    if v is None:
        return "—"
    if v.is_integer():
        return f"{int(v):,}"
    return f"{v:,.1f}"


def points_text(value: Any) -> str:
    v = _num(value)
    if v is None:
        return "—"
    return str(int(v)) if v.is_integer() else f"{v:.1f}"


def _local_date(value: Any) -> date | None:
    """An ISO timestamp of the summary (UTC) as a date in China time."""
    if not value:
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(CHINA_TZ)
    return moment.date()


# --- sections ---------------------------------------------------------------------------------

def verdict(item: Mapping[str, Any], sample_met: bool) -> tuple[str, str]:
    """(css class, plain-words statement) for one scored indicator."""
    rate, low, high = _num(item.get("rate")), _num(item.get("ci_low")), _num(item.get("ci_high"))
    if not sample_met:
        return "bad", "有效问卷未达到服务人口 3% 的要求，按规则本项计 0 分。"
    if rate is None:
        return "warn", "没有有效回答，无法计算满意率，本项计 0 分。"
    interval = interval_text(low, high)
    if item.get("borderline") and low is not None and high is not None:
        crossed = [t for t in sorted(THRESHOLDS, reverse=True) if low <= t <= high]
        line = "、".join(percent(t, 0) for t in crossed) or "分档"
        return "warn", (f"临界：误差范围（{interval}）跨过了 {line} 的分档线。若再多调查一些居民，"
                        f"结果可能落入另一档；按规则，得分仍按实测满意率 {rate_text(rate)} 计算。")
    if low is None or high is None:
        return "", "未能计算误差范围。"
    if low >= 0.90:
        band = "整个区间都在 90% 以上"
    elif low >= 0.80 and high < 0.90:
        band = "整个区间都在 80% 至 90% 之间"
    elif high < 0.80:
        band = "整个区间都低于 80%"
    else:
        band = "区间没有跨过分档线"
    return "ok", f"结果稳定：误差范围（{interval}）{band}，再多调查一些居民也不会改变得分档次。"


def _indicator_cards(summary: Mapping[str, Any]) -> list[dict]:
    sample_met = bool(summary["sample"].get("met"))
    cards = []
    indicators = summary.get("indicators") or {}
    for key in [k for k in INDICATOR_ORDER if k in indicators] + [k for k in indicators if k not in INDICATOR_ORDER]:
        item = indicators[key]
        css, statement = verdict(item, sample_met)
        mean = _num(item.get("mean_score"))
        cards.append({
            "key": key,
            "number": INDICATOR_NUMBERS.get(key),
            "label": item.get("label") or key,
            "rate": rate_text(item.get("rate")),
            "has_rate": _num(item.get("rate")) is not None,
            "interval": interval_text(item.get("ci_low"), item.get("ci_high")),
            "answered": count_text(item.get("answered")),
            "satisfied": count_text(item.get("satisfied")),
            "dont_know": count_text(item.get("dont_know")),
            "mean": "—" if mean is None else f"{mean:.1f}",
            "points": points_text(item.get("points")),
            "max_points": points_text(item.get("max_points")),
            "verdict_class": css,
            "verdict": statement,
        })
    return cards


def _sample(summary: Mapping[str, Any]) -> dict:
    sample = summary["sample"]
    labels = (summary.get("quality") or {}).get("exclusion_labels") or {}
    excluded = [{"label": labels.get(reason, reason), "count": count_text(n)}
                for reason, n in (sample.get("excluded") or {}).items() if n]
    required, valid = _num(sample.get("required")) or 0, _num(sample.get("valid")) or 0
    share = None
    if required > 0:
        share = percent(valid / required, below=None if sample.get("met") else 1.0)
    total_excluded = sum(_num(n) or 0 for n in (sample.get("excluded") or {}).values())
    return {
        "population": count_text(sample.get("population")),
        "rate": f"{(_num(sample.get('rate')) or 0.03) * 100:g}%",
        "required": count_text(sample.get("required")),
        "valid": count_text(sample.get("valid")),
        "met": bool(sample.get("met")),
        "shortfall": count_text(sample.get("shortfall")),
        "share": share,
        "advisory": count_text(sample.get("advisory")) if sample.get("advisory") else None,
        "excluded": excluded,
        "excluded_total": count_text(total_excluded),
        "received": count_text(valid + total_excluded),
    }


def _coverage(summary: Mapping[str, Any]) -> dict | None:
    coverage = summary["sample"].get("coverage")
    if not coverage or not coverage.get("tested"):
        return None
    rows = [{"name": c.get("name"), "share": pct_text(c.get("share")), "observed": count_text(c.get("observed")),
             "expected": count_text(round(_num(c.get("expected")) or 0)),
             "ratio": "—" if _num(c.get("ratio")) is None else f"{_num(c.get('ratio')):.2f}",
             "under": bool(c.get("under_covered"))} for c in coverage.get("communities", [])]
    return {"rows": rows, "statistic": f"{_num(coverage.get('statistic')) or 0:.2f}",
            "df": coverage.get("df"), "p_value": f"{_num(coverage.get('p_value')) or 0:.3f}",
            "under": list(coverage.get("under_covered") or [])}


def _channels(summary: Mapping[str, Any]) -> list[dict] | None:
    channels = (summary.get("campaign") or {}).get("channels") or summary["sample"].get("channels")
    if not isinstance(channels, Mapping) or not channels:
        return None
    total = sum(_num(v) or 0 for v in channels.values())
    return [{"label": CHANNEL_LABELS.get(code, code), "count": count_text(n),
             "share": pct_text((_num(n) or 0) / total) if total else "—"} for code, n in channels.items()]


def _detail_rows(summary: Mapping[str, Any]) -> list[dict]:
    groups = []
    details = summary.get("details") or []
    known = {g for g, _ in DETAIL_GROUPS}
    for group, title in DETAIL_GROUPS + (("", "其他细项"),):
        items = [d for d in details if (d.get("group") == group if group else d.get("group") not in known)]
        if not items:
            continue
        rows = []
        for d in items:
            mean = _num(d.get("mean_score"))
            rows.append({"label": d.get("label"), "answered": count_text(d.get("answered")),
                         "dont_know": count_text(d.get("dont_know")), "rate": rate_text(d.get("rate")),
                         "interval": interval_text(d.get("ci_low"), d.get("ci_high")),
                         "mean": "—" if mean is None else f"{mean:.1f}"})
        groups.append({"title": title, "rows": rows})
    return groups


def _breakdowns(summary: Mapping[str, Any]) -> list[dict]:
    out = []
    indicators = summary.get("indicators") or {}
    for indicator, by_group in (summary.get("breakdowns") or {}).items():
        for group_question, table in by_group.items():
            heading, by = GROUP_QUESTION_LABELS.get(group_question, ("分组", "按" + str(group_question)))
            rows = []
            for row in table.get("groups", []):
                small = bool(row.get("suppressed")) or (_num(row.get("respondents")) or 0) < MIN_GROUP
                rows.append({
                    "label": row.get("label") or row.get("group"),
                    "suppressed": small,
                    "note": SUPPRESSED if small and row.get("suppression_reason") in (None, "small_group")
                    else "为保护小群体，不显示",
                    "answered": count_text(row.get("answered")),
                    "rate": rate_text(row.get("rate")),
                    "interval": interval_text(row.get("ci_low"), row.get("ci_high")),
                })
            if table.get("tested"):
                p = _num(table.get("p_value"))
                test = "分组差异检验：" + ("各组满意率差别明显，不是偶然。" if p is not None and p < 0.05
                                          else "各组满意率没有明显差别。")
                test += (f"（偶然概率 {p if p is not None else 0:.3f}，小于 0.05 才算差别明显，"
                         f"见附录“术语解释”。）")
                if table.get("low_expected"):
                    test += "部分组人数较少，检验结果仅供参考。"
            else:
                test = "未做检验：可比较的组不足两个。"
            label = (indicators.get(indicator) or {}).get("label") or indicator
            out.append({"title": f"{label} · {by}", "heading": heading, "rows": rows, "test": test,
                        "label": label, "group_question": group_question})
    return out


def _breakdown_groupings(breakdowns: Sequence[Mapping[str, Any]], charts: Mapping[str, Any]) -> list[dict]:
    """The breakdown tables gathered by grouping (age band, community), each grouping with one
    chart of every indicator side by side (:func:`surveyapp.charts.paired_rate_bars`)."""
    out: dict[str, dict] = {}
    for table in breakdowns:
        question = table["group_question"]
        by = GROUP_QUESTION_LABELS.get(question, ("分组", "按" + str(question)))[1]
        grouping = out.setdefault(question, {"by": by, "labels": [], "tables": [], "chart": charts.get(question)})
        grouping["labels"].append(table["label"])
        grouping["tables"].append(table)
    return [dict(g, title=f"{'与'.join(g['labels'])} · {g['by']}") for g in out.values()]


def _drivers(summary: Mapping[str, Any], figures: Mapping[str, Any]) -> list[dict]:
    out = []
    indicators = summary.get("indicators") or {}
    grids = summary.get("importance_performance") or {}
    for indicator, drivers in (summary.get("drivers") or {}).items():
        quadrants = {i.get("name"): QUADRANT_LABELS.get(i.get("quadrant"), "")
                     for i in (grids.get(indicator) or {}).get("items", [])}
        rows = []
        if drivers.get("ok"):
            ordered = sorted(drivers.get("items", []), key=lambda i: -(_num(i.get("odds_ratio")) or 0))
            for item in ordered:
                p = _num(item.get("p_value"))
                lo, hi = _num(item.get("ci_low")), _num(item.get("ci_high"))
                rows.append({
                    "label": item.get("label") or item.get("name"),
                    "rate": pct_text(item.get("satisfaction_rate")),
                    "odds": "—" if _num(item.get("odds_ratio")) is None else f"{_num(item.get('odds_ratio')):.2f}",
                    "interval": "—" if lo is None or hi is None else f"{lo:.2f} – {hi:.2f}",
                    "p": "—" if p is None else ("< 0.001" if p < 0.001 else f"{p:.3f}"),
                    "significant": p is not None and p < 0.05,
                    "quadrant": quadrants.get(item.get("name"), ""),
                })
        out.append({
            "label": (indicators.get(indicator) or {}).get("label") or indicator,
            "ok": bool(drivers.get("ok")),
            "reason": drivers.get("explanation") or drivers.get("reason"),
            "n": count_text(drivers.get("n")),
            "left_out": list(drivers.get("left_out") or []),
            "rows": rows,
            "grid": figures.get("grids", {}).get(indicator),
        })
    return out


def _demand(summary: Mapping[str, Any], figures: Mapping[str, Any]) -> list[dict]:
    charts = {ranking.get("name"): chart for ranking, chart in figures.get("demand", [])}
    out = []
    for ranking in summary.get("demand") or []:
        suppressed = bool(ranking.get("suppressed")) or (_num(ranking.get("respondents")) or 0) < MIN_GROUP
        rows = [] if suppressed else [
            {"rank": item.get("rank"), "label": item.get("label") or item.get("code"),
             "count": count_text(item.get("count")), "share": pct_text(item.get("share")),
             "interval": interval_text(item.get("ci_low"), item.get("ci_high"))}
            for item in ranking.get("items", []) if _num(item.get("count"))]
        out.append({"label": ranking.get("label"), "respondents": count_text(ranking.get("respondents")),
                    "suppressed": suppressed, "rows": rows,
                    "chart": None if suppressed else charts.get(ranking.get("name"))})
    return out


def _walking(summary: Mapping[str, Any]) -> list[dict]:
    out = []
    for walk in summary.get("walking") or []:
        suppressed = bool(walk.get("suppressed")) or (_num(walk.get("answered")) or 0) < MIN_GROUP
        median = _num(walk.get("median_minutes"))
        out.append({"label": walk.get("label"), "suppressed": suppressed,
                    "answered": count_text(walk.get("answered")),
                    "median": "—" if median is None else f"{median:g}",
                    "within": count_text(walk.get("within_15_minutes")),
                    "share": pct_text(walk.get("share_within_15")),
                    "interval": interval_text(walk.get("ci_low"), walk.get("ci_high"))})
    return out


def _sort_key(code: str) -> tuple[int, float, str]:
    try:
        return (0, float(code), "")
    except (TypeError, ValueError):
        return (1, 0.0, str(code))


def _appendix(summary: Mapping[str, Any]) -> list[dict]:
    """Every question of ``distributions`` with counts and percentages, grouped by section.

    Each section is a list of blocks: ``{"kind": "question", ...}`` (one table per question), or
    ``{"kind": "matrix", ...}`` for consecutive 5-point items with the same answer scale (one row
    per item, one column per answer: compact, and easier to compare).
    """
    sections: list[dict] = []
    for number, question in enumerate(summary.get("distributions") or [], start=1):
        section = question.get("section") or ""
        if not sections or sections[-1]["key"] != section:
            sections.append({"key": section, "title": SECTION_LABELS.get(section, section or "其他"),
                             "blocks": []})
        blocks = sections[-1]["blocks"]
        counts = {str(k): v for k, v in (question.get("counts") or {}).items()}
        respondents = _num(question.get("respondents"))
        if respondents is None:
            respondents = sum(_num(v) or 0 for v in counts.values())
        choices = [(str(code), label) for code, label in (question.get("choices") or [])]
        known = {code for code, _ in choices}
        extra = sorted((code for code in counts if code not in known), key=_sort_key)
        choices += [(code, code) for code in extra]
        kind = question.get("type")
        suppressed = respondents < MIN_GROUP
        label = question.get("label") or question.get("name")

        def share(n: float) -> str:
            return pct_text(n / respondents) if respondents else "—"

        if kind == "likert5" and not extra:
            scale = [lab for _, lab in choices]
            cells = [{"count": count_text(_num(counts.get(code)) or 0), "share": share(_num(counts.get(code)) or 0)}
                     for code, _ in choices]
            row = {"number": number, "label": label, "respondents": count_text(respondents),
                   "suppressed": suppressed, "cells": cells}
            if blocks and blocks[-1]["kind"] == "matrix" and blocks[-1]["scale"] == scale:
                blocks[-1]["rows"].append(row)
            else:
                blocks.append({"kind": "matrix", "scale": scale, "rows": [row]})
            continue

        rows = []
        if not suppressed:
            for code, choice_label in choices:
                n = _num(counts.get(code)) or 0
                if kind == "integer" and not n:
                    continue
                rows.append({"label": choice_label, "count": count_text(n), "share": share(n)})
        note = None
        if kind == "select_multiple":
            note = "可多选：占比 = 选择该项的人数 ÷ 回答本题的人数，合计可超过 100%。"
        elif kind == "integer":
            note = "只列出有人回答的数值。"
        columns = 3 if kind == "integer" and len(rows) > 12 else 2 if len(rows) > 16 else 1
        blocks.append({
            "kind": "question", "number": number, "label": label,
            "type": TYPE_LABELS.get(kind, "题目"), "respondents": count_text(respondents),
            "suppressed": suppressed, "note": note, "columns": columns,
            "row_groups": _columns(rows, columns),
            "option_heading": "分钟" if kind == "integer" else "选项",
        })
    return sections


def _columns(rows: Sequence[dict], columns: int) -> list[list[dict | None]]:
    """``rows`` laid out top-to-bottom in ``columns`` side-by-side column groups."""
    if columns <= 1:
        return [[row] for row in rows]
    height = math.ceil(len(rows) / columns)
    out = []
    for i in range(height):
        out.append([rows[i + c * height] if i + c * height < len(rows) else None for c in range(columns)])
    return out


def _method(summary: Mapping[str, Any], questionnaire_title: str | None, rules_trial: bool) -> dict:
    campaign = summary.get("campaign") or {}
    quality = summary.get("quality") or {}
    indicators = summary.get("indicators") or {}
    methods = {i.get("ci_method") for i in indicators.values() if i.get("ci_method")}
    ci = "；".join(CI_METHOD_LABELS.get(m, m) for m in sorted(methods)) or "威尔逊得分区间"
    reliability = summary.get("reliability") or {}
    alpha = _num(reliability.get("alpha"))
    weighted = summary.get("weighted") or {}
    weighted_rows = []
    for key, item in (weighted.get("indicators") or {}).items():
        weighted_rows.append({"label": item.get("label") or key, "rate": rate_text(item.get("rate")),
                              "interval": interval_text(item.get("ci_low"), item.get("ci_high"))})
    median = _num(quality.get("median_seconds"))
    cutoff = _num(quality.get("too_fast_cutoff_seconds"))
    patterns = summary.get("patterns") or {}
    sample = summary.get("sample") or {}
    extra = _num(sample.get("household_extra")) or 0
    without = sample.get("without_household_extra") or {}
    return {
        "questionnaire": campaign.get("questionnaire"),
        "title": questionnaire_title,
        "version": campaign.get("version"),
        "hash": campaign.get("hash"),
        "opens": chinese_date(_local_date(campaign.get("opens_at"))) if campaign.get("opens_at") else "—",
        "closes": chinese_date(_local_date(campaign.get("closes_at"))) if campaign.get("closes_at") else "未设截止日期",
        "channels": _channels(summary),
        "household_extra": {"count": count_text(extra), "valid_without": count_text(without.get("valid")),
                            "met_without": bool(without.get("met"))} if extra else None,
        "ci_method": ci,
        "median_seconds": None if median is None else f"{median:.0f}",
        "cutoff_seconds": None if cutoff is None else f"{cutoff:.0f}",
        "flagged": count_text(quality.get("flagged_straightlining")) if quality.get("flagged_straightlining") else None,
        "alpha": None if alpha is None else f"{alpha:.2f}",
        "alpha_good": alpha is not None and alpha >= 0.7,
        "alpha_n": count_text(reliability.get("respondents")),
        "weighted": weighted_rows,
        "effective_size": count_text(round(_num((weighted.get("weights") or {}).get("effective_size")) or 0))
        if weighted_rows else None,
        "sampled_rows": count_text(patterns.get("rows")) if patterns.get("sampled") else None,
        "rules_trial": rules_trial,
    }


def enforce_min_group(summary: Mapping[str, Any]) -> dict:
    """A copy of ``summary`` in which every breakdown group and demand ranking with fewer than
    :data:`MIN_GROUP` respondents is marked suppressed, whatever the document says, so that
    neither the tables nor the charts can show a figure for it."""
    out = copy.deepcopy(dict(summary))
    for by_group in (out.get("breakdowns") or {}).values():
        for table in by_group.values():
            for row in table.get("groups", []):
                if (_num(row.get("respondents")) or 0) < MIN_GROUP and not row.get("suppressed"):
                    row["suppressed"] = True
                    row["suppression_reason"] = "small_group"
                if row.get("suppressed"):
                    for key in ("answered", "satisfied", "dont_know", "rate", "ci_low", "ci_high"):
                        row[key] = None
    for ranking in out.get("demand") or []:
        if (_num(ranking.get("respondents")) or 0) < MIN_GROUP:
            ranking["suppressed"] = True
    return out


#: Length of the fingerprint printed in page footers (the full one is in the method appendix).
SHORT_FINGERPRINT = 12


def cover_verdict(evaluation: Mapping[str, Any] | None, cards: Sequence[Mapping[str, Any]]) -> dict:
    """What the cover shows in large type: for an evaluation the type, stars, grade and both
    totals; for a survey report the two satisfaction rates and their points."""
    if evaluation is None:
        return {"kind": "survey", "cards": list(cards)}
    outcome, presence, service = evaluation["outcome"], evaluation["presence"], evaluation["service"]
    final = outcome.get("final_type")
    return {
        "kind": "evaluation",
        "type": final["label"] if final else "不授予类型",
        "stars": "★" * int(final.get("stars") or 0) if final else "",
        "stars_label": final.get("stars_label") if final else "",
        "grade": outcome["grade"]["label"],
        "presence": points_text(presence.get("total")), "presence_max": points_text(presence.get("max_points")),
        "service": points_text(service.get("total")), "service_max": points_text(service.get("max_points")),
        "initial_type": (presence.get("initial_type") or {}).get("label") or "无",
        "reason": outcome.get("reason"),
    }


def chapters(context: Mapping[str, Any]) -> list[dict]:
    """The chapters present in this report, numbered in order (一、二、…), with their anchors:
    the table of contents and the headings read the same list."""
    body = [("conclusion", "结论", True), ("advice", "结论与建议", True),
            ("details", "各细项满意度", True), ("breakdowns", "分组比较", bool(context["breakdowns"])),
            ("drivers", "影响总体满意的关键因素", bool(context["drivers"])), ("demand", "居民需求", True),
            ("service", "服务“好不好”评分", context["evaluation"] is not None),
            ("presence", "业态“有没有”评分与业态清单", context["evaluation"] is not None),
            ("merchants", "商户调查结果", bool(context["merchants"])),
            ("coverage", "一刻钟步行覆盖", bool(context["walk_coverage"]))]
    numerals = "一二三四五六七八九十"
    out = []
    for key, title, shown in body:
        if shown:
            number = numerals[len(out)] if len(out) < len(numerals) else str(len(out) + 1)
            out.append({"key": key, "anchor": f"ch-{key}", "heading": f"{number}、{title}", "title": title})
    # The answer distributions belong to the survey report; an evaluation report points to it
    # (a third of its pages and render time otherwise, for figures no verdict depends on).
    appendices = [("method", "调查方法与数据指纹"), ("glossary", "术语解释")]
    if context["evaluation"] is None:
        appendices.append(("distribution", "各题回答分布"))
    appendices.append(("signoff", "签发"))
    for index, (key, title) in enumerate(appendices, start=1):
        heading = f"附录{numerals[index - 1]}　{title}" if key != "signoff" else title
        out.append({"key": key, "anchor": f"ch-{key}", "heading": heading, "title": title})
    return out


def report_context(summary: Mapping[str, Any], *, circle: Mapping[str, Any], assessor: str, report_number: str,
                   issued_on: date, fingerprint: str | None = None, rules_trial: bool = True,
                   evaluation: Mapping[str, Any] | None = None, questionnaire_title: str | None = None,
                   evaluation_round: int | None = None, merchants: Mapping[str, Any] | None = None,
                   walk_coverage: Mapping[str, Any] | None = None,
                   projects: Sequence[Mapping[str, Any]] | None = None) -> dict:
    """Everything ``campaign.html`` needs, formatted. With ``evaluation`` it is the 评价报告
    of a round, without it the 满意度调查报告 of a resident survey."""
    summary = enforce_min_group(summary)
    campaign = summary.get("campaign") or {}
    circle_name = circle.get("name") or campaign.get("circle_name") or "—"
    figures = summary_figures(summary, responsive=False)
    population = circle.get("population") or summary["sample"].get("population")
    title = "评价报告" if evaluation is not None else "满意度调查报告"
    cards = _indicator_cards(summary)
    context = {
        "title": title,
        "verdict": cover_verdict(evaluation, cards),
        "conclusions": conclusions(summary, evaluation, projects),
        "glossary": glossary(),
        "short_fingerprint": (fingerprint or "")[:SHORT_FINGERPRINT],
        "doc": {"title": f"{circle_name} {title}", "author": assessor, "created": pdf_timestamp(issued_on)},
        "circle": {"name": circle_name, "population": count_text(population)},
        "assessor": assessor,
        "firm": None,   # campaign_report() sets it; None prints the assessor as 评价机构
        "report_number": report_number,
        "issued_on": chinese_date(issued_on),
        "fingerprint": fingerprint,
        "rules_trial": rules_trial,
        "evaluation_round": evaluation_round,
        "campaign": {"id": campaign.get("id"), "questionnaire": campaign.get("questionnaire"),
                     "title": questionnaire_title, "version": campaign.get("version")},
        "sample": _sample(summary),
        "coverage": _coverage(summary),
        "cards": cards,
        "method": _method(summary, questionnaire_title, rules_trial),
        "figures": {"sample": figures.get("sample"), "indicators": figures.get("indicators"),
                    "details": figures.get("details")},
        "detail_groups": _detail_rows(summary),
        "breakdowns": _breakdowns(summary),
        "drivers": _drivers(summary, figures),
        "demand": _demand(summary, figures),
        "walking": _walking(summary),
        "appendix": _appendix(summary),
        "evaluation": evaluation,
        "merchants": merchants,
        "walk_coverage": coverage_context(walk_coverage),
    }
    context["breakdown_groupings"] = _breakdown_groupings(context["breakdowns"],
                                                          breakdown_pair_figures(summary, responsive=False))
    context["chapters"] = {c["key"]: c for c in chapters(context)}
    return context


def campaign_report(summary: dict, *, circle: dict, assessor: str, report_number: str, issued_on: date,
                    fingerprint: str | None = None, rules_trial: bool = True,
                    evaluation: dict | None = None, questionnaire_title: str | None = None,
                    evaluation_round: int | None = None, url_fetcher=None,
                    merchants: dict | None = None, walk_coverage: dict | None = None, preview: bool = False,
                    corrects: str | None = None, correction_reason: str | None = None,
                    projects: list | None = None, firm: str | None = None) -> bytes:
    """The 评价报告 of a resident-survey campaign as PDF bytes (same arguments → same bytes).

    ``summary``: the campaign summary document (DESIGN.md contract, with the detail part).
    ``circle``: at least ``name``; ``population`` is shown when given (else the summary's).
    ``fingerprint``: printed on the cover and in every page's footer (e.g. a hash of the data).
    ``rules_trial``: say that the scoring rules file is a trial (试行) version.
    ``evaluation``: the evaluation round (inventory, ten indicators) — rendered by the
    ``_evaluation_*.html`` partials; ``None`` renders nothing.
    ``merchants``: the merchant summary (surveyapp.merchants.derive.merchant_summary) for the
    商户调查结果 chapter; ``None`` renders nothing.
    ``walk_coverage``: the 15-minute coverage document (surveyapp.locations.queries.coverage_document)
    for the 一刻钟步行覆盖 section (map and table); ``None`` renders nothing.
    ``preview``: a diagonal 预览 · 未签发 mark on every page. ``corrects``: the number of the
    report this one corrects, printed at the foot of every page and, with ``correction_reason``,
    on the cover. ``projects``: the circle's 项目清单 (title, type_code, demands, status_label),
    which the 结论与建议 chapter matches against the top demands; ``None`` says nothing of projects.
    ``firm``: the assessment firm printed as 评价机构 (cover and sign-off), the ``assessor``
    then printed as 项目负责人; '' leaves 评价机构 blank to be written by hand. ``None`` (reports
    made before firms were set) prints the assessor as 评价机构, as those reports did.
    """
    context = report_context(summary, circle=circle, assessor=assessor, report_number=report_number,
                             issued_on=issued_on, fingerprint=fingerprint, rules_trial=rules_trial,
                             evaluation=evaluation, questionnaire_title=questionnaire_title,
                             evaluation_round=evaluation_round, merchants=merchants, walk_coverage=walk_coverage,
                             projects=projects)
    context.update(preview=preview, corrects=corrects, correction_reason=correction_reason, firm=firm)
    identifier = f"{report_number}|{fingerprint or ''}|{issued_on.isoformat()}"
    return render_pdf("campaign.html", context, identifier=_identifier(identifier), url_fetcher=url_fetcher)


def _identifier(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
