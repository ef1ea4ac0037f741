"""Comparing two rounds (or two groups): is a change in a satisfaction rate more than noise?"""
from __future__ import annotations

import math
from dataclasses import dataclass

from scipy.stats import norm

from ._common import Result, check_count


@dataclass(frozen=True)
class TwoProportions(Result):
    before_rate: float | None
    after_rate: float | None
    difference: float | None  # after − before
    z: float | None
    p_value: float | None
    significant: bool
    ci_low: float | None  # 95% interval of the difference (unpooled, Wald)
    ci_high: float | None
    reason: str | None


def two_proportions(satisfied_before: int, answered_before: int, satisfied_after: int, answered_after: int,
                    alpha: float = 0.05) -> TwoProportions:
    """Two-sided z test with the pooled proportion (the textbook two-proportion test);
    the interval of the difference uses the unpooled standard error."""
    s1, n1 = check_count(satisfied_before, "satisfied_before"), check_count(answered_before, "answered_before")
    s2, n2 = check_count(satisfied_after, "satisfied_after"), check_count(answered_after, "answered_after")
    if s1 > n1 or s2 > n2:
        raise ValueError("satisfied cannot exceed answered")
    if n1 == 0 or n2 == 0:
        return TwoProportions(s1 / n1 if n1 else None, s2 / n2 if n2 else None, None, None, None, False,
                              None, None, "no answers in one of the two rounds")
    p1, p2 = s1 / n1, s2 / n2
    pooled = (s1 + s2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    diff = p2 - p1
    z_crit = float(norm.ppf(1 - alpha / 2))
    se_diff = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    low, high = diff - z_crit * se_diff, diff + z_crit * se_diff
    if se == 0:
        return TwoProportions(p1, p2, diff, None, None, False, low, high, "both rounds all satisfied or all not")
    z = diff / se
    p_value = float(2 * norm.sf(abs(z)))
    return TwoProportions(p1, p2, diff, z, p_value, bool(p_value < alpha), low, high, None)
