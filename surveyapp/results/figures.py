"""Charts of a summary document: one mapping from the summary to SVG, shared by the
dashboard and the PDF report (no Flask here)."""
from __future__ import annotations

from .. import charts

LIKERT_CATEGORIES = [("5", "非常满意"), ("4", "满意"), ("3", "一般"), ("2", "不满意"), ("1", "非常不满意"), ("0", "不清楚")]


def _rate_item(entry: dict, label: str | None = None) -> dict:
    note = None
    if entry.get("rate") is None:
        note = "无有效回答" if not entry.get("answered") else "—"
    return {"label": label or entry["label"], "rate": entry.get("rate"), "ci_low": entry.get("ci_low"),
            "ci_high": entry.get("ci_high"), "note": note}


def _group_item(row: dict) -> dict:
    return {"label": row["label"], "rate": row["rate"], "ci_low": row["ci_low"], "ci_high": row["ci_high"],
            "note": "少于5人，不显示" if row["suppressed"] else None}


def breakdown_pair_figures(summary: dict, responsive: bool = True) -> dict:
    """One chart per grouping (age band, community) with every indicator's rate side by side,
    keyed by the group question; groups in the order the first indicator lists them, a group
    another indicator lacks shown as "—" there."""
    breakdowns = summary.get("breakdowns", {})
    indicators = summary.get("indicators", {})
    questions = list(dict.fromkeys(q for by_group in breakdowns.values() for q in by_group))
    figures = {}
    for question in questions:
        tables = [(indicator, by_group[question]) for indicator, by_group in breakdowns.items() if question in by_group]
        rows: dict = {}
        for k, (_, table) in enumerate(tables):
            for row in table["groups"]:
                entry = rows.setdefault(row["group"], {"label": row["label"], "values": [None] * len(tables)})
                entry["values"][k] = _group_item(row)
        series = [(indicators.get(indicator) or {}).get("label") or indicator for indicator, _ in tables]
        figures[question] = charts.paired_rate_bars(list(rows.values()), series=series, responsive=responsive)
    return figures


def summary_figures(summary: dict, responsive: bool = True) -> dict:
    figures = {}
    sample = summary["sample"]
    figures["sample"] = charts.sample_progress(sample["valid"], sample["required"], advisory=sample.get("advisory"),
                                               responsive=responsive)
    figures["indicators"] = charts.rate_bars([_rate_item(v) for v in summary["indicators"].values()],
                                             responsive=responsive)
    if summary.get("details"):
        figures["details"] = charts.rate_bars([_rate_item(d) for d in summary["details"]], responsive=responsive)
    figures["grids"] = {}
    for indicator, grid in summary.get("importance_performance", {}).items():
        if grid.get("ok"):
            figures["grids"][indicator] = charts.importance_performance_grid(
                [{"label": i["label"], "importance": i["importance"], "performance": i["performance"]}
                 for i in grid["items"]],
                x_split=grid.get("performance_mean"), y_split=grid.get("importance_mean"),
                y_label="重要性（回归系数）" if grid.get("measure") == "coefficient" else "重要性（相关系数）",
                responsive=responsive)
    figures["demand"] = []
    for ranking in summary.get("demand", []):
        if not ranking.get("suppressed"):
            items = [{"label": i["label"], "share": i["share"], "ci_low": i["ci_low"], "ci_high": i["ci_high"],
                      "count": i["count"]} for i in ranking["items"] if i["count"]]
            figures["demand"].append((ranking, charts.ranking_bars(items, responsive=responsive)))
    return figures
