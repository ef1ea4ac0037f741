"""The sample-size rule, an advisory sample size, and community coverage.

The official rule (valid questionnaires >= 3 % of the served population)
decides whether indicators #2 and #3 can score at all, so it is computed
with exact fractions: one questionnaire too few costs a circle 32 points.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from scipy.stats import chisquare

from ._common import Result, check_count, exact_fraction, z_value

DEFAULT_RATE = 0.03


def required_sample(population: int, rate: float | Fraction | str = DEFAULT_RATE) -> int:
    """Required number of valid questionnaires: ceil(rate x population), exactly.

    ``rate`` is read as written (0.03 -> 3/100), so 0.03 x 100 is 3, not
    3.0000000000000004 rounded up to 4.
    """
    N = check_count(population, "population")
    r = exact_fraction(rate)
    if not 0 < r <= 1:
        raise ValueError(f"rate must be in (0, 1], got {rate!r}")
    return math.ceil(r * N)


@dataclass(frozen=True)
class SampleCheck(Result):
    """Whether a campaign met the sample rule; ``to_dict`` is the contract's ``sample``."""

    population: int
    rate: float
    required: int
    valid: int
    excluded: dict[str, int] = field(default_factory=dict)
    met: bool = False
    shortfall: int = 0


def check_sample(population: int, valid: int, excluded: Mapping[str, int] | None = None,
                 rate: float | Fraction | str = DEFAULT_RATE) -> SampleCheck:
    """Compare the valid questionnaires with the required number.

    ``excluded`` (reason -> count, e.g. ``{"duplicate": 3, "too_fast": 7}``)
    is carried through for the report; it does not change the verdict.
    """
    required = required_sample(population, rate)
    n_valid = check_count(valid, "valid")
    excl = {str(k): check_count(v, f"excluded[{k!r}]") for k, v in sorted((excluded or {}).items(),
                                                                       key=lambda kv: str(kv[0]))}
    return SampleCheck(
        population=int(population),
        rate=float(exact_fraction(rate)),
        required=required,
        valid=n_valid,
        excluded=excl,
        met=n_valid >= required,
        shortfall=max(0, required - n_valid),
    )


def advisory_sample_size(population: int | None, p: float = 0.90, margin: float = 0.03,
                         confidence: float = 0.95) -> int:
    """Sample size giving a 95 % margin of +/-``margin`` around a rate ``p``.

    n0 = z^2 p (1 - p) / e^2 is the simple-random-sampling size for an
    infinite population; the finite population correction gives
    n = n0 / (1 + (n0 - 1) / N), rounded up. ``population=None`` -> ceil(n0).
    This is advice shown next to the official 3 % rule, which it does not
    replace: the 3 % rule under-samples small circles and over-samples big ones.
    """
    p = float(p)
    e = float(margin)
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must be strictly between 0 and 1, got {p!r}")
    if not 0.0 < e < 1.0:
        raise ValueError(f"margin must be strictly between 0 and 1, got {margin!r}")
    z = z_value(confidence)
    n0 = z * z * p * (1.0 - p) / (e * e)
    if population is None:
        return math.ceil(n0)
    N = check_count(population, "population")
    if N == 0:
        return 0
    n = n0 / (1.0 + (n0 - 1.0) / N)
    return min(N, math.ceil(n))


@dataclass(frozen=True)
class CommunityShare(Result):
    name: str
    observed: int
    population: int
    share: float | None
    expected: float | None
    ratio: float | None
    under_covered: bool


@dataclass(frozen=True)
class CoverageResult(Result):
    """Goodness of fit of responses per community against population shares.

    ``tested`` is False (statistic/p-value None) when fewer than two
    communities have a population or no response was observed; ``reason``
    says why. ``low_expected`` warns that an expected count is below 5, where
    the chi-square approximation is rough. ``unexpected`` names communities
    that have responses but no recorded population (excluded from the test).
    """

    tested: bool
    reason: str | None
    statistic: float | None
    df: int
    p_value: float | None
    alpha: float
    significant: bool
    threshold: float
    low_expected: bool
    communities: tuple[CommunityShare, ...]
    under_covered: tuple[str, ...]
    unexpected: tuple[str, ...]


def community_coverage(observed: Mapping[Any, int], population: Mapping[Any, int], alpha: float = 0.05,
                       threshold: float = 0.8) -> CoverageResult:
    """Chi-square goodness-of-fit of valid responses per community.

    Expected counts are the total observed (over communities with a
    population) split by population shares. A community is under-covered
    when observed < ``threshold`` x expected: a significant test says the
    sample is unbalanced, the list says where to send interviewers.
    Communities are reported sorted by name so input order never matters.
    """
    obs = {str(k): check_count(v, f"observed[{k!r}]") for k, v in observed.items()}
    pop = {str(k): check_count(v, f"population[{k!r}]") for k, v in population.items()}
    names = sorted(set(obs) | set(pop))
    unknown = [n for n in names if n not in pop]
    if unknown:
        raise ValueError(f"responses from communities outside the circle: {unknown}")
    counted = [n for n in names if pop[n] > 0]
    total_pop = sum(pop[n] for n in counted)
    total_obs = sum(obs.get(n, 0) for n in counted)
    unexpected = tuple(n for n in names if pop[n] == 0 and obs.get(n, 0) > 0)

    rows = []
    for n in names:
        o = obs.get(n, 0)
        if pop[n] > 0:
            share = Fraction(pop[n], total_pop)
            expected = float(share * total_obs)
            ratio = (o / expected) if expected > 0 else None
            under = o < threshold * expected
            rows.append(CommunityShare(n, o, pop[n], float(share), expected, ratio, under))
        else:
            rows.append(CommunityShare(n, o, 0, 0.0, 0.0, None, False))

    statistic = p_value = None
    df = max(0, len(counted) - 1)
    reason = None
    low_expected = any(r.expected is not None and 0 < r.expected < 5 for r in rows if r.population > 0)
    if len(counted) < 2:
        reason = "fewer than two communities with a population"
        df = 0
    elif total_obs == 0:
        reason = "no responses"
    else:
        f_obs = [obs.get(n, 0) for n in counted]
        f_exp = [float(Fraction(pop[n], total_pop) * total_obs) for n in counted]
        res = chisquare(f_obs, f_exp)
        statistic, p_value = float(res.statistic), float(res.pvalue)
    tested = statistic is not None
    return CoverageResult(
        tested=tested,
        reason=reason,
        statistic=statistic,
        df=df,
        p_value=p_value,
        alpha=float(alpha),
        significant=bool(tested and p_value < alpha),
        threshold=float(threshold),
        low_expected=low_expected if tested else False,
        communities=tuple(rows),
        under_covered=tuple(r.name for r in rows if r.under_covered),
        unexpected=unexpected,
    )
