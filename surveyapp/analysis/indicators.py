"""Scored satisfaction indicators (#2 业态满意 and #3 服务满意).

Input is the answer counts of one overall item, ``{code: n}``, as the
database produces them with GROUP BY. The rate is the top-two-box share
excluding don't-know; points follow the official rule using the point
estimate, compared with integer arithmetic so exactly 90 % scores 16.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ._common import Result, code_counts, code_set, contains, exact_fraction
from .proportions import fpc_effective_size, kish_effective_size, wilson_from_rate


@dataclass(frozen=True)
class PointRule:
    """The official scoring rule; defaults are DOMAIN.md #2/#3 (a rules file will supply them).

    rate >= full_threshold -> full_points; partial_threshold <= rate <
    full_threshold -> partial_points; otherwise fail_points. Always
    fail_points when the sample rule is not met or there is no rate.
    """

    full_threshold: float | Fraction | str = 0.90
    full_points: float = 16
    partial_threshold: float | Fraction | str = 0.80
    partial_points: float = 10
    fail_points: float = 0

    def points(self, satisfied: Any, answered: Any, sample_met: bool) -> float:
        """Points for ``satisfied`` of ``answered`` (ints or exact Fractions).

        Compares satisfied x den >= answered x num in exact arithmetic:
        540/600 against 9/10 is 5400 >= 5400, never 0.8999999.
        """
        if not sample_met or answered == 0:
            return self.fail_points
        full = exact_fraction(self.full_threshold)
        partial = exact_fraction(self.partial_threshold)
        s, a = Fraction(satisfied), Fraction(answered)
        if s * full.denominator >= a * full.numerator:
            return self.full_points
        if s * partial.denominator >= a * partial.numerator:
            return self.partial_points
        return self.fail_points


DEFAULT_POINT_RULE = PointRule()


@dataclass(frozen=True)
class Indicator(Result):
    """One indicator; ``to_dict`` gives exactly the summary contract's keys."""

    label: str
    answered: int
    satisfied: int
    dont_know: int
    rate: float | None
    ci_low: float | None
    ci_high: float | None
    ci_method: str
    points: float
    max_points: float
    borderline: bool
    mean_score: float | None
    #: False when no answer counts (every answer was don't-know, or none was given): the
    #: rate is None, the points are 0, and pages print 无法评价.
    assessable: bool = True


def _rule(rule: PointRule | None, max_points: float | None) -> PointRule:
    rule = rule or DEFAULT_POINT_RULE
    if max_points is not None and max_points != rule.full_points:
        rule = dataclasses.replace(rule, full_points=max_points)
    return rule


def _split(counts: Mapping[str, int], satisfied: frozenset[str], dont_know: frozenset[str],
           scale: tuple[int, int] | None) -> tuple[int, int, int, Fraction | None]:
    """(answered, satisfied, dont_know, sum of scale scores) for one set of counts."""
    overlap = satisfied & dont_know
    if overlap:
        raise ValueError(f"codes both satisfied and don't-know: {sorted(overlap)}")
    answered = sat = dk = 0
    score_sum: Fraction | None = Fraction(0) if scale is not None else None
    for code, n in counts.items():
        if code in dont_know:
            dk += n
            continue
        answered += n
        if code in satisfied:
            sat += n
        if scale is not None and n:
            try:
                value = Fraction(code)
            except ValueError:
                raise ValueError(f"answer code {code!r} is not a score on the scale {scale}") from None
            if not scale[0] <= value <= scale[1]:
                raise ValueError(f"answer code {code!r} outside the scale {scale}")
            score_sum += value * n
    return answered, sat, dk, score_sum


def _mean_score(score_sum: Fraction | None, weight: Fraction, scale: tuple[int, int] | None) -> float | None:
    """0-100 mean score, (mean - low) / (high - low) x 100; (mean - 1)/4 x 100 on 1-5."""
    if scale is None or score_sum is None or weight == 0:
        return None
    lo, hi = scale
    return float((score_sum / weight - lo) / (hi - lo) * 100)


def _build(label: str, answered: int, sat: int, dk: int, rate: Fraction | None, n_eff: float,
           method: str, points: float, rule: PointRule, mean_score: float | None,
           confidence: float, sample_met: bool) -> Indicator:
    """``borderline`` only when the sample rule is met: a short sample already scores 0, so
    an interval around a threshold decides nothing."""
    if rate is None:
        low = high = None
    else:
        low, high = wilson_from_rate(float(rate), n_eff, confidence)
    thresholds = (float(exact_fraction(rule.full_threshold)), float(exact_fraction(rule.partial_threshold)))
    return Indicator(
        label=label,
        answered=answered,
        satisfied=sat,
        dont_know=dk,
        rate=None if rate is None else float(rate),
        ci_low=low,
        ci_high=high,
        ci_method=method,
        points=points,
        max_points=rule.full_points,
        borderline=bool(sample_met) and any(contains(low, high, t) for t in thresholds),
        mean_score=mean_score,
        assessable=rate is not None,
    )


def satisfaction_indicator(counts: Mapping[Any, int], *, label: str, satisfied_codes: Any,
                           dont_know_codes: Any = (), population: int | None, sample_met: bool,
                           max_points: float | None = None, scale: tuple[int, int] | None = (1, 5),
                           rule: PointRule | None = None, confidence: float = 0.95) -> Indicator:
    """Rate, Wilson interval with the finite population correction, points and mean score.

    ``counts`` maps choice codes to numbers of valid questionnaires, e.g.
    ``{"5": 120, "4": 300, "3": 50, "0": 10}`` with ``dont_know_codes={"0"}``.
    ``population`` is the circle's served population N (None: no correction).
    ``max_points`` overrides ``rule.full_points``. ``scale=None`` disables the
    mean score for items whose codes are not scores.
    """
    rule = _rule(rule, max_points)
    answered, sat, dk, score_sum = _split(code_counts(counts), code_set(satisfied_codes),
                                          code_set(dont_know_codes), scale)
    rate = Fraction(sat, answered) if answered else None
    n_eff = fpc_effective_size(answered, answered, population) if answered else 0.0
    method = "wilson-fpc" if population is not None else "wilson"
    return _build(label, answered, sat, dk, rate, n_eff, method,
                  rule.points(sat, answered, sample_met), rule,
                  _mean_score(score_sum, Fraction(answered), scale), confidence, sample_met)


def weighted_satisfaction_indicator(counts_by_stratum: Mapping[Any, Mapping[Any, int]],
                                    weights: Mapping[Any, float], *, label: str, satisfied_codes: Any,
                                    dont_know_codes: Any = (), population: int | None, sample_met: bool,
                                    max_points: float | None = None, scale: tuple[int, int] | None = (1, 5),
                                    rule: PointRule | None = None, confidence: float = 0.95) -> Indicator:
    """The indicator with post-stratification weights (one weight per stratum, e.g. age band).

    Rate = sum_b w_b s_b / sum_b w_b a_b. The interval uses Kish's effective
    size over the answering respondents, then the finite population
    correction with the actual number answered (the contract's definition).
    ``answered``/``satisfied``/``dont_know`` stay raw counts (what was
    collected); ``rate``, points and mean score are weighted. Sums use exact
    fractions of the float weights, so equal weights reproduce the
    unweighted indicator exactly (except ``ci_method``).
    """
    rule = _rule(rule, max_points)
    sat_codes, dk_codes = code_set(satisfied_codes), code_set(dont_know_codes)
    w_by = {str(k): v for k, v in weights.items()}
    answered = sat = dk = 0
    w_ans = w_sat = w_score = Fraction(0)
    band_w: list[float] = []
    band_n: list[int] = []
    for stratum, counts in counts_by_stratum.items():
        a, s, d, score = _split(code_counts(counts), sat_codes, dk_codes, scale)
        if a + d == 0:
            continue
        if str(stratum) not in w_by:
            raise ValueError(f"no weight for stratum {stratum!r}")
        w_raw = float(w_by[str(stratum)])
        if not w_raw >= 0 or w_raw == float("inf"):
            raise ValueError(f"weight for {stratum!r} must be finite and non-negative")
        w = Fraction(w_raw)
        answered, sat, dk = answered + a, sat + s, dk + d
        w_ans += w * a
        w_sat += w * s
        if score is not None:
            w_score += w * score
        band_w.append(w_raw)
        band_n.append(a)
    rate = (w_sat / w_ans) if w_ans else None
    if rate is None:
        n_eff = 0.0
    else:
        n_eff = fpc_effective_size(kish_effective_size(band_w, band_n), answered, population)
    method = "wilson-kish-fpc" if population is not None else "wilson-kish"
    points = rule.points(w_sat, w_ans, sample_met) if rate is not None else rule.fail_points
    mean = _mean_score(w_score if scale is not None else None, w_ans, scale)
    return _build(label, answered, sat, dk, rate, n_eff, method, points, rule, mean, confidence, sample_met)
