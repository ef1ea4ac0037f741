"""Confidence intervals for proportions and effective sample sizes.

The Wilson score interval is used rather than the textbook Wald interval
because satisfaction rates sit near 90 %, where Wald is too narrow and can
exceed 1; Wilson stays inside [0, 1] and has good coverage at n ~ 150-600.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from fractions import Fraction
from typing import Any

import numpy as np

from ._common import z_value


def wilson_from_rate(rate: float, n: float, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for an observed proportion ``rate`` on ``n``.

    ``n`` may be fractional (an effective sample size after weighting or the
    finite population correction) and may be ``math.inf`` (a census), in
    which case there is no sampling error and the interval is ``(rate, rate)``.
    """
    p = float(rate)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"rate must be in [0, 1], got {rate!r}")
    n = float(n)
    if math.isnan(n) or n <= 0.0:
        raise ValueError(f"n must be positive, got {n!r}")
    if math.isinf(n):
        return (p, p)
    z = z_value(confidence)
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2.0 * n)) / denom
    half = (z / denom) * math.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n))
    low = max(0.0, centre - half)
    high = min(1.0, centre + half)
    # At p = 0 (or 1) the bound is exactly 0 (or 1) algebraically; floating
    # point can leave 1e-17 either way, so pin it.
    if p == 0.0:
        low = 0.0
    if p == 1.0:
        high = 1.0
    # Floating error must never push the bound past the estimate itself.
    return (min(low, p), max(high, p))


def wilson_interval(successes: float, n: float, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for ``successes`` out of ``n`` (n may be non-integer)."""
    n = float(n)
    if math.isnan(n) or n <= 0.0 or math.isinf(n):
        raise ValueError(f"n must be positive and finite, got {n!r}; use wilson_from_rate for a census")
    s = float(successes)
    if not 0.0 <= s <= n:
        raise ValueError(f"successes must be in [0, n], got {successes!r} of {n!r}")
    return wilson_from_rate(s / n, n, confidence)


def effective_size(n: float, population: float | None) -> float:
    """Sample size adjusted for sampling without replacement from ``population``.

    n_eff = n / (1 - n/N), as fixed by the summary contract. It equals
    n * N / (N - n), i.e. the variance p(1-p)/n is multiplied by (N - n)/N;
    the textbook factor is (N - n)/(N - 1), which differs by < 0.01 % at the
    populations of a living circle (N ~ 10k-50k). A census (n >= N) has no
    sampling error: ``math.inf``. ``population=None`` means "infinite": n.
    With weights, pass Kish's effective size as ``n`` only if the caller
    has already decided so; the contract divides Kish's n by (1 - n/N)
    with the *actual* n (see ``fpc_effective_size``).
    """
    return fpc_effective_size(n, n, population)


def fpc_effective_size(n_eff: float, n: float, population: float | None) -> float:
    """Apply the finite population correction factor 1/(1 - n/N) to ``n_eff``.

    Kept separate from ``effective_size`` because with weights the factor
    uses the number of respondents ``n`` while the base is Kish's ``n_eff``.
    """
    n_eff = float(n_eff)
    if population is None:
        return n_eff
    N = float(population)
    n = float(n)
    if n < 0 or n_eff < 0:
        raise ValueError("sample sizes must be non-negative")
    if N <= 0:
        raise ValueError(f"population must be positive, got {population!r}")
    if n >= N:
        return math.inf
    return n_eff / (1.0 - n / N)


def kish_effective_size(weights: Iterable[Any], frequencies: Iterable[Any] | None = None) -> float:
    """Kish's effective sample size (sum w)^2 / sum w^2.

    ``frequencies`` gives the compact pattern form: weight ``w_i`` held by
    ``f_i`` respondents, so (sum f w)^2 / sum f w^2. The pattern form (a few
    age bands) is summed with exact fractions, so equal weights give exactly
    n and the weighted interval is then identical to the unweighted one; the
    per-respondent form uses compensated float sums (math.fsum).
    Returns 0.0 when the total weight is zero.
    """
    if frequencies is None:
        w = np.asarray(list(weights) if not isinstance(weights, np.ndarray) else weights, dtype=float)
        if w.ndim != 1:
            raise ValueError("weights must be one-dimensional")
        if np.any(~np.isfinite(w)) or np.any(w < 0):
            raise ValueError("weights must be finite and non-negative")
        sw = math.fsum(w.tolist())
        sw2 = math.fsum((w * w).tolist())
        return 0.0 if sw2 == 0.0 else sw * sw / sw2
    pairs = list(zip(list(weights), list(frequencies), strict=True))
    sw = Fraction(0)
    sw2 = Fraction(0)
    for w, f in pairs:
        wf = Fraction(float(w)) if not isinstance(w, Fraction) else w
        if wf < 0 or not math.isfinite(float(w)):
            raise ValueError("weights must be finite and non-negative")
        fi = int(f)
        if fi < 0 or fi != f:
            raise ValueError("frequencies must be non-negative integers")
        sw += wf * fi
        sw2 += wf * wf * fi
    return 0.0 if sw2 == 0 else float(sw * sw / sw2)
