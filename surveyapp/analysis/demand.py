"""Ranking of missing outlet types named by residents (the 需求清单 input).

Residents tick the types they miss (multi-select), so shares do not sum to
1: each is (residents naming the type) / (residents who answered the
question), with its own Wilson interval.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ._common import Result, check_count, code_counts
from .proportions import wilson_interval


@dataclass(frozen=True)
class DemandItem(Result):
    code: str
    label: str
    rank: int
    count: int
    share: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class DemandRanking(Result):
    """``suppressed`` (items empty) when fewer than ``min_group`` residents answered."""

    respondents: int
    suppressed: bool
    min_group: int
    items: tuple[DemandItem, ...]


def demand_ranking(counts: Mapping[Any, int], respondents: int, labels: Mapping[Any, str] | None = None,
                   min_group: int = 5, confidence: float = 0.95) -> DemandRanking:
    """Share of residents naming each type, ranked by share (descending) then code.

    Types in ``labels`` (the catalogue) but never named appear with share 0,
    so the list shows what nobody asked for too. Ties share a rank
    (competition ranking 1, 2, 2, 4). Sorting uses the integer counts
    (same denominator), so no float ties are broken arbitrarily.
    """
    if min_group < 1:
        raise ValueError("min_group must be at least 1")
    n = check_count(respondents, "respondents")
    c = code_counts(counts)
    names = {str(k): str(v) for k, v in (labels or {}).items()}
    for code in names:
        c.setdefault(code, 0)
    over = sorted(code for code, k in c.items() if k > n)
    if over:
        raise ValueError(f"more residents naming a type than answered the question: {over}")
    if n < min_group:
        return DemandRanking(n, True, min_group, ())
    ordered = sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))
    items = []
    rank = 0
    previous = None
    for position, (code, k) in enumerate(ordered, start=1):
        if k != previous:
            rank, previous = position, k
        low, high = wilson_interval(k, n, confidence)
        items.append(DemandItem(code, names.get(code, code), rank, k, k / n, low, high))
    return DemandRanking(n, False, min_group, tuple(items))
