"""Satisfaction by group (age band, community, years lived) with small-group suppression.

PIPL and the design's privacy rule: no figure for a group of fewer than 5
respondents. A suppressed group's figures are None and it is left out of
the test. If exactly one group is suppressed, its figures could be
recovered by subtracting the shown groups from the published total, so the
next smallest group is suppressed as well (complementary suppression).
"""
from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.stats import chi2_contingency

from ._common import Result, code_counts, code_set
from .proportions import wilson_interval

SUPPRESSED_SMALL = "small_group"
SUPPRESSED_COMPLEMENTARY = "complementary"


@dataclass(frozen=True)
class GroupFigures(Result):
    group: str
    suppressed: bool
    suppression_reason: str | None
    respondents: int | None
    answered: int | None
    satisfied: int | None
    dont_know: int | None
    rate: float | None
    ci_low: float | None
    ci_high: float | None


@dataclass(frozen=True)
class Crosstab(Result):
    """Per-group figures in input order, and Pearson's chi-square test of independence.

    ``tested`` is False with a ``reason`` when fewer than two groups remain or
    the table has an empty column (everyone, or no one, satisfied).
    ``low_expected`` is True when an expected count is below 5.
    """

    groups: tuple[GroupFigures, ...]
    min_group: int
    tested: bool
    reason: str | None
    statistic: float | None
    df: int | None
    p_value: float | None
    low_expected: bool


def crosstab(groups: Mapping[Any, Mapping[Any, int]], satisfied_codes: Any, dont_know_codes: Any = (),
             min_group: int = 5, complementary: bool = True, confidence: float = 0.95) -> Crosstab:
    """Satisfaction rate per group with suppression and a chi-square test.

    A group is suppressed when fewer than ``min_group`` respondents answered
    the item (don't-know excluded, so a rate never rests on fewer than
    ``min_group`` people). Intervals are plain Wilson (no finite population
    correction: group populations are rarely known). The test is Pearson's
    chi-square without Yates' correction on satisfied / not satisfied x
    group, over the groups shown.
    """
    if min_group < 1:
        raise ValueError("min_group must be at least 1")
    sat_codes, dk_codes = code_set(satisfied_codes), code_set(dont_know_codes)
    raw = []
    for g, counts in groups.items():
        c = code_counts(counts)
        dk = sum(n for code, n in c.items() if code in dk_codes)
        answered = sum(n for code, n in c.items() if code not in dk_codes)
        sat = sum(n for code, n in c.items() if code in sat_codes and code not in dk_codes)
        raw.append((str(g), answered + dk, answered, sat, dk))

    reasons: dict[str, str] = {g: SUPPRESSED_SMALL for g, _, a, _, _ in raw if a < min_group}
    disclosive = [g for g, resp, a, _, _ in raw if a < min_group and resp > 0]
    if complementary and len(disclosive) == 1:
        shown = sorted((resp, g) for g, resp, _, _, _ in raw if g not in reasons)
        if shown:
            reasons[shown[0][1]] = SUPPRESSED_COMPLEMENTARY

    figures = []
    table = []
    for g, resp, a, s, dk in raw:
        if g in reasons:
            figures.append(GroupFigures(g, True, reasons[g], None, None, None, None, None, None, None))
            continue
        low, high = wilson_interval(s, a, confidence)
        figures.append(GroupFigures(g, False, None, resp, a, s, dk, s / a, low, high))
        table.append((s, a - s))

    statistic = p_value = df = None
    reason = None
    low_expected = False
    arr = np.array(table, dtype=float).reshape(-1, 2)
    if len(table) < 2:
        reason = "fewer than two groups to compare"
    elif np.any(arr.sum(axis=0) == 0):
        reason = "no variation: every respondent shown is satisfied, or none is"
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            res = chi2_contingency(arr, correction=False)
        statistic, p_value, df = float(res.statistic), float(res.pvalue), int(res.dof)
        low_expected = bool(np.any(res.expected_freq < 5))
    return Crosstab(tuple(figures), min_group, statistic is not None, reason, statistic, df, p_value,
                    low_expected)
