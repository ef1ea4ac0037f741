"""Figures that let an assessor check fieldwork: one row per interviewer (or channel).

An interviewer who fabricates answers tends to be quick, to give the same answer to every
detail item (straight-lining) or to lean on 不清楚 (don't know). This module summarises each
group's responses on those three signs; a group under ``min_group`` responses shows its
count only (no figure for fewer than 5 respondents).
"""
from __future__ import annotations

import statistics
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

MIN_GROUP = 5


@dataclass(frozen=True)
class FieldworkRecord:
    """What one response says about how it was taken."""

    group: Hashable
    duration_seconds: int | None
    straightlining: bool
    #: Likert answers given, and how many of them were don't-know.
    likert_answers: int
    dont_know_answers: int


@dataclass(frozen=True)
class FieldworkRow:
    group: Hashable
    responses: int
    suppressed: bool
    median_seconds: float | None
    straightlining_share: float | None
    dont_know_share: float | None

    def to_dict(self) -> dict:
        return {"group": self.group, "responses": self.responses, "suppressed": self.suppressed,
                "median_seconds": self.median_seconds, "straightlining_share": self.straightlining_share,
                "dont_know_share": self.dont_know_share}


def fieldwork_rows(records: Iterable[FieldworkRecord], min_group: int = MIN_GROUP) -> list[FieldworkRow]:
    """One row per group, in order of first appearance.

    ``median_seconds`` is the median of the known durations; ``straightlining_share`` the
    share of responses flagged; ``dont_know_share`` don't-know answers over all likert
    answers given (None when no likert answer was given)."""
    groups: dict[Hashable, list[FieldworkRecord]] = {}
    for record in records:
        groups.setdefault(record.group, []).append(record)
    rows = []
    for group, items in groups.items():
        n = len(items)
        if n < min_group:
            rows.append(FieldworkRow(group, n, True, None, None, None))
            continue
        durations = [r.duration_seconds for r in items if r.duration_seconds is not None]
        likert = sum(r.likert_answers for r in items)
        rows.append(FieldworkRow(
            group, n, False,
            float(statistics.median(durations)) if durations else None,
            sum(1 for r in items if r.straightlining) / n,
            sum(r.dont_know_answers for r in items) / likert if likert else None,
        ))
    return rows
