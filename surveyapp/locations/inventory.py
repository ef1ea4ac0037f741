"""The coverage facts beside the 有没有 inventory form.

Each inventory row gains ``walk``: the share of communities within the walk limit of an open
outlet of that type (``None`` when nothing can be said). These are facts for the assessor, not
points: the saved inventory alone scores. Only when the rules file sets
``coverage.presence_min_share`` does coverage touch the suggestion: a required type below that
share is not suggested as present (``walk_blocked``), and a never-saved inventory starts with it
unticked — the assessor still decides what is saved.
"""
from __future__ import annotations

from fractions import Fraction


def with_walk_coverage(rows: list[dict], found: dict | None) -> list[dict]:
    fresh = not any(row.get("source") for row in rows)
    table = found["table"] if found and found["has_points"] else None
    minimum: Fraction | None = found["settings"].presence_min_share if found else None
    for row in rows:
        row["walk"] = None
        row["walk_blocked"] = False
        item = table.of_type(row["code"]) if table is not None else None
        if item is None or item.share is None:
            continue
        row["walk"] = {"share": float(item.share), "covered": item.covered, "assessed": item.assessed,
                       "far": list(item.far)}
        if minimum is not None and row.get("required") and item.share < minimum and row.get("suggested"):
            row["walk_blocked"] = True
            if fresh:
                row.update(present=False, outlets=0, evidence="")
    return rows
