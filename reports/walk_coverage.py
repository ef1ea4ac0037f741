"""The report section on 15-minute walking coverage: the coverage document (see
``surveyapp.locations.queries.coverage_document``) in, display-ready rows and the SVG map out.

Pure, like the rest of ``reports``: the map is drawn by ``surveyapp.charts.outlet_map`` from the
points stored in the document, so the same data gives the same bytes.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from surveyapp.charts import outlet_map, percent

STATE_TEXT = {"unlocated": "有网点，未定位", "absent": "生活圈内没有", "no_point": "无代表点"}


def _cell_text(cell: Mapping[str, Any], max_minutes: float) -> dict:
    state = cell["state"]
    if state in ("covered", "far"):
        minutes = "无法到达" if cell.get("minutes") is None else f"{cell['minutes']:.1f} 分钟"
        note = cell.get("outlet_name") or ""
        if cell.get("points", 0) > 1:
            note += f"（{cell.get('points_covered', 0)}/{cell['points']} 个点可到）"
        return {"state": state, "main": minutes, "note": note}
    return {"state": state, "main": STATE_TEXT.get(state, state), "note": ""}


def coverage_context(document: Mapping[str, Any] | None, highlight: Sequence[str] = ()) -> dict | None:
    """Rows (types × communities) and the map, or None when there is nothing to show.
    ``highlight``: type codes whose outlets the map marks and names (the demand list's far types)."""
    if not document or not any(c["points"] for c in document.get("communities", [])):
        return None
    max_minutes = document["max_minutes"]
    rows = []
    for row in document["rows"]:
        share = row.get("share")
        rows.append({"label": row["label"], "required": row.get("required", False),
                     "cells": [_cell_text(cell, max_minutes) for cell in row["cells"]],
                     "share": "—" if share is None else percent(share, 0),
                     "counts": f"{row['covered']}/{row['assessed']}",
                     "far": list(row.get("far") or [])})
    far = [{"label": row["label"], "communities": "、".join(row["far"])} for row in rows if row["far"]]
    return {
        "label": document["label"], "trial": document["trial"], "method": document["method"],
        "max_minutes": f"{max_minutes:g}", "radius": f"{document['radius_m']:.0f}",
        "communities": [c["name"] for c in document["communities"]],
        "rows": rows, "far": far,
        "map": outlet_map(document["communities"], document["outlets"], radius_m=document["radius_m"],
                          minutes=max_minutes, title="网点与步行 15 分钟范围", width=640, height=440,
                          highlight=highlight),
    }
