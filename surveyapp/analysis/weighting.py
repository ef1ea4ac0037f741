"""Post-stratification by age band.

Street surveys over-represent the elderly (they are at home and answer
paper forms); weighting each band to its population share corrects the
rate, and Kish's effective size says how much precision that costs.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ._common import Result, check_count
from .proportions import fpc_effective_size, kish_effective_size, wilson_from_rate


@dataclass(frozen=True)
class PoststratWeights(Result):
    """Weight per band; ``missing`` lists bands with a population share but no respondents.

    Weights are renormalised over the bands present, so the weighted total
    equals the number of respondents. ``design_effect`` = n / n_eff (Kish).
    """

    weights: dict[str, float]
    missing: tuple[str, ...]
    respondents: int
    effective_size: float
    design_effect: float | None


def poststratification_weights(sample_counts: Mapping[Any, int],
                               population_shares: Mapping[Any, float]) -> PoststratWeights:
    """w_b = pop_share_b / sample_share_b over the bands with respondents.

    ``population_shares`` may be shares or raw population counts: they are
    normalised. A band with respondents but no population share is an error
    (the census table and the questionnaire disagree on the bands).
    """
    n_b = {str(k): check_count(v, f"sample_counts[{k!r}]") for k, v in sample_counts.items()}
    shares: dict[str, Fraction] = {}
    for k, v in population_shares.items():
        f = float(v)
        if not math.isfinite(f) or f < 0:
            raise ValueError(f"population share for {k!r} must be finite and non-negative")
        shares[str(k)] = Fraction(f)
    orphan = sorted(b for b, n in n_b.items() if n > 0 and shares.get(b, 0) == 0)
    if orphan:
        raise ValueError(f"respondents in bands without a population share: {orphan}")
    present = sorted(b for b, n in n_b.items() if n > 0)
    missing = tuple(sorted(b for b, s in shares.items() if s > 0 and n_b.get(b, 0) == 0))
    n = sum(n_b[b] for b in present)
    pop_present = sum((shares[b] for b in present), Fraction(0))
    weights: dict[str, float] = {}
    for b in present:
        # (share_b / sum of present shares) / (n_b / n)
        weights[b] = float(shares[b] / pop_present * n / n_b[b])
    n_eff = kish_effective_size([weights[b] for b in present], [n_b[b] for b in present]) if present else 0.0
    return PoststratWeights(
        weights=weights,
        missing=missing,
        respondents=n,
        effective_size=n_eff,
        design_effect=(n / n_eff) if n_eff else None,
    )


@dataclass(frozen=True)
class WeightedRate(Result):
    rate: float | None
    n: int
    kish_n: float
    effective_size: float | None
    ci_low: float | None
    ci_high: float | None
    ci_method: str


def weighted_rate(satisfied: Mapping[Any, int], answered: Mapping[Any, int], weights: Mapping[Any, float],
                  population: int | None = None, confidence: float = 0.95) -> WeightedRate:
    """Weighted share sum w_b s_b / sum w_b a_b with a Wilson interval on Kish's size.

    ``satisfied`` and ``answered`` are counts per band (answered excludes
    don't-know). The interval's n is Kish's n_eff corrected for the finite
    population with the actual n (the summary contract's definition).
    """
    a_b = {str(k): check_count(v, f"answered[{k!r}]") for k, v in answered.items()}
    s_b = {str(k): check_count(v, f"satisfied[{k!r}]") for k, v in satisfied.items()}
    w_b = {str(k): float(v) for k, v in weights.items()}
    extra = sorted(set(s_b) - set(a_b))
    if extra:
        raise ValueError(f"satisfied counts for bands with no answered count: {extra}")
    num = den = Fraction(0)
    ws: list[float] = []
    ns: list[int] = []
    for b in sorted(a_b):
        a, s = a_b[b], s_b.get(b, 0)
        if s > a:
            raise ValueError(f"satisfied > answered in band {b!r}")
        if a == 0:
            continue
        if b not in w_b:
            raise ValueError(f"no weight for band {b!r}")
        if not math.isfinite(w_b[b]) or w_b[b] < 0:
            raise ValueError(f"weight for band {b!r} must be finite and non-negative")
        w = Fraction(w_b[b])
        num += w * s
        den += w * a
        ws.append(w_b[b])
        ns.append(a)
    n = sum(ns)
    method = "wilson-kish-fpc" if population is not None else "wilson-kish"
    if den == 0:
        return WeightedRate(None, n, 0.0, None, None, None, method)
    kish = kish_effective_size(ws, ns)
    n_eff = fpc_effective_size(kish, n, population)
    rate = num / den
    low, high = wilson_from_rate(float(rate), n_eff, confidence)
    return WeightedRate(float(rate), n, kish, n_eff, low, high, method)
