"""Key-driver analysis: which detail items move overall satisfaction.

A logistic regression of "overall satisfied" (0/1) on the detail item
scores (1-5, numeric) gives an odds ratio per one-point increase in each
item. Fitted with statsmodels' GLM Binomial and ``freq_weights`` so that
covariate patterns (unique rows + counts from SQL GROUP BY) give exactly
the same estimates and standard errors as the expanded rows.

The odds ratios' intervals are profile-likelihood intervals (R's
``confint.glm``): the coefficient values where the log-likelihood, maximised
over the other coefficients, falls χ²₁(0.95)/2 below its maximum. They are
found by refitting with the coefficient held fixed (an offset) and solving
for the crossing with Brent's method; statsmodels offers only Wald
intervals, which are too narrow and symmetric on the log scale in the small
samples a circle has.

The model is not fitted when it has fewer than ``EVENTS_PER_ITEM`` events
(or non-events, whichever is fewer) per item: the result says so in plain
words (``explanation``) instead of printing unstable odds ratios.

Survey data often break a logistic regression (an item everyone rated 5,
perfect separation in a small community). Those cases return
``ok=False`` with a reason instead of raising or leaking a warning: the
test suite turns warnings into errors and a report must still render.
"""
from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import statsmodels.api as sm
from scipy.optimize import brentq
from scipy.stats import chi2
from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationError, PerfectSeparationWarning

from ._common import Result

# Below this many events (or non-events) per item the estimates are unstable
# (Peduzzi et al. 1996): the model is not fitted and the result says why.
EVENTS_PER_ITEM = 10


@dataclass(frozen=True)
class DriverItem(Result):
    name: str
    satisfaction_rate: float | None
    correlation: float | None
    coefficient: float | None
    odds_ratio: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None


@dataclass(frozen=True)
class DriversResult(Result):
    """Regression results per item; regression fields None when ``ok`` is False.

    ``satisfaction_rate`` (share of the item's answers in the satisfied codes)
    and ``correlation`` (Pearson, item score vs overall 0/1) are filled
    whenever there are complete rows, so importance-performance can still
    use the correlation when the regression fails.
    """

    ok: bool
    reason: str | None
    n: int
    events: int
    dropped: int
    intercept: float | None
    items: tuple[DriverItem, ...]
    notes: tuple[str, ...]
    #: Why there is no model, in plain Chinese for pages and reports (None when ``ok``).
    explanation: str | None = None
    #: How the odds ratios' intervals were computed.
    ci_method: str = "profile-likelihood"


def _weighted_corr(x: np.ndarray, y: np.ndarray, f: np.ndarray) -> float | None:
    n = f.sum()
    mx, my = (f * x).sum() / n, (f * y).sum() / n
    sxx = (f * (x - mx) ** 2).sum()
    syy = (f * (y - my) ** 2).sum()
    if sxx <= 0 or syy <= 0:
        return None
    return float((f * (x - mx) * (y - my)).sum() / np.sqrt(sxx * syy))


def _prepare(scores: Any, overall: Any, frequencies: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    x = np.asarray(scores, dtype=float)
    if x.ndim != 2:
        raise ValueError("scores must be two-dimensional: rows x items")
    y = np.asarray(overall, dtype=float)
    if y.shape != (x.shape[0],):
        raise ValueError("one overall value per row")
    if frequencies is None:
        f = np.ones(x.shape[0], dtype=np.int64)
    else:
        fr = np.asarray(frequencies)
        if fr.shape != (x.shape[0],) or np.any(fr < 0) or np.any(fr != np.round(fr)):
            raise ValueError("frequencies must be one non-negative integer per row")
        f = fr.astype(np.int64)
    ok_y = np.isfinite(y)
    if np.any((y[ok_y] != 0) & (y[ok_y] != 1)):
        raise ValueError("overall must be 0 (not satisfied) or 1 (satisfied)")
    keep = ok_y & np.all(np.isfinite(x), axis=1)
    dropped = int(f[~keep].sum())
    keep &= f > 0
    return x[keep], y[keep], f[keep], dropped


def key_drivers(scores: Any, overall: Any, *, names: Sequence[str] | None = None, frequencies: Any = None,
                satisfied_codes: Sequence[float] = (4, 5), confidence: float = 0.95) -> DriversResult:
    """Logistic regression of overall satisfaction on the item scores.

    ``scores``: rows x items, NaN for don't-know/missing (listwise deletion);
    ``overall``: 1 = satisfied overall, 0 = not (NaN rows dropped);
    ``frequencies``: respondents per row when rows are covariate patterns.
    """
    x, y, f, dropped = _prepare(scores, overall, frequencies)
    k = x.shape[1]
    names = [f"item{j + 1}" for j in range(k)] if names is None else [str(n) for n in names]
    if len(names) != k:
        raise ValueError("one name per item")
    n = int(f.sum())
    events = int((f * y).sum())
    sat = np.isin(x, np.asarray(satisfied_codes, dtype=float))
    rates = [float((f * sat[:, j]).sum() / n) if n else None for j in range(k)]
    corrs = [_weighted_corr(x[:, j], y, f) if n else None for j in range(k)]

    def failed(reason: str, notes: tuple[str, ...] = (), explanation: str | None = None) -> DriversResult:
        items = tuple(DriverItem(names[j], rates[j], corrs[j], None, None, None, None, None) for j in range(k))
        return DriversResult(False, reason, n, events, dropped, None, items, notes,
                             explanation or "数据的情况不适合估计各细项的影响（例如总体满意度几乎没有差别），本次不作估计。")

    if k == 0:
        return failed("no items", explanation="没有可用于分析的细项。")
    if n < k + 2:
        return failed(f"too few respondents: {n} for {k} items", explanation=f"参与计算的只有 {n} 人，太少，无法估计。")
    if events == 0 or events == n:
        return failed("overall satisfaction does not vary",
                      explanation="所有人的总体评价相同（都满意或都不满意），无法比较各细项的影响。")
    design = sm.add_constant(x, has_constant="add")
    if np.linalg.matrix_rank(design) < k + 1:
        return failed("singular design: an item is constant or items are collinear",
                      explanation="有的细项所有人打分相同，或几个细项的打分完全一致，无法分开估计。")
    fewer = min(events, n - events)
    if fewer < EVENTS_PER_ITEM * k:
        return failed(
            f"fewer than {EVENTS_PER_ITEM} events per item: {fewer / k:.1f} for {k} items",
            explanation=f"要可靠地比较 {k} 个细项，“满意”和“不满意”的回答每项至少各需 {EVENTS_PER_ITEM} 个"
                        f"（共 {EVENTS_PER_ITEM * k} 个）；现在较少的一方只有 {fewer} 个，"
                        f"平均每项 {fewer / k:.1f} 个。结果会很不稳定，所以不显示。")

    notes = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fit = sm.GLM(y, design, family=sm.families.Binomial(), freq_weights=f).fit()
            params = np.asarray(fit.params, dtype=float)
            ci = np.asarray(fit.conf_int(alpha=1.0 - confidence), dtype=float)
            pvalues = np.asarray(fit.pvalues, dtype=float)
            bse = np.asarray(fit.bse, dtype=float)
        except PerfectSeparationError:
            return failed("perfect separation: an item predicts overall satisfaction exactly")
        except (np.linalg.LinAlgError, ValueError, FloatingPointError) as exc:
            return failed(f"fit failed: {type(exc).__name__}: {exc}")
    for w in caught:
        if issubclass(w.category, PerfectSeparationWarning):
            return failed("perfect separation: an item predicts overall satisfaction exactly")
        if issubclass(w.category, ConvergenceWarning):
            return failed("the regression did not converge")
    if caught:
        notes.extend(f"{w.category.__name__}: {w.message}" for w in caught)
        return failed("the regression emitted warnings", tuple(notes))
    if not (np.all(np.isfinite(params)) and np.all(np.isfinite(bse)) and np.all(np.isfinite(ci))):
        return failed("non-finite estimates (quasi-separation)")
    # Quasi-complete separation: fitted probabilities pinned at 0 or 1 with huge
    # coefficients; the estimates are meaningless even when IRLS "converges".
    mu = np.asarray(fit.fittedvalues, dtype=float)
    if np.any(np.abs(params[1:]) > 15) or np.any((mu < 1e-10) | (mu > 1 - 1e-10)):
        return failed("quasi-separation: fitted probabilities of 0 or 1")
    intervals = []
    for j in range(1, k + 1):
        bounds = profile_interval(y, design, f, j, float(params[j]), float(bse[j]), float(fit.llf), confidence)
        if bounds is None:
            return failed("the profile-likelihood interval did not close")
        intervals.append(bounds)
    items = tuple(
        DriverItem(names[j], rates[j], corrs[j], float(params[j + 1]), float(np.exp(params[j + 1])),
                   float(np.exp(intervals[j][0])), float(np.exp(intervals[j][1])), float(pvalues[j + 1]))
        for j in range(k)
    )
    return DriversResult(True, None, n, events, dropped, float(params[0]), items, tuple(notes))


def _profile_llf(y: np.ndarray, design: np.ndarray, f: np.ndarray, j: int, value: float) -> float:
    """The log-likelihood maximised over every coefficient but ``j``, held at ``value``."""
    others = np.delete(design, j, axis=1)
    fit = sm.GLM(y, others, family=sm.families.Binomial(), freq_weights=f, offset=value * design[:, j]).fit()
    return float(fit.llf)


def profile_interval(y: np.ndarray, design: np.ndarray, f: np.ndarray, j: int, estimate: float, se: float,
                     llf: float, confidence: float = 0.95) -> tuple[float, float] | None:
    """Profile-likelihood interval of coefficient ``j`` (log scale), or None when a side does
    not close (the likelihood never falls far enough: a separated item).

    Each side starts two standard errors out (where the Wald bound is), doubles the
    distance until the profile log-likelihood has fallen by more than χ²₁(confidence)/2, then
    solves for the crossing with Brent's method."""
    drop = chi2.ppf(confidence, 1) / 2

    def excess(value: float) -> float:
        return llf - _profile_llf(y, design, f, j, value) - drop

    bounds = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # refits far out may warn; a side that fails is reported as None
        for direction in (-1.0, 1.0):
            inner, distance = estimate, 2.0 * max(se, 1e-6)
            for _ in range(40):
                outer = estimate + direction * distance
                try:
                    if excess(outer) > 0:
                        break
                except (np.linalg.LinAlgError, ValueError, FloatingPointError):
                    return None
                inner, distance = outer, distance * 2
            else:
                return None
            low, high = sorted((inner, outer))
            try:
                bounds.append(brentq(excess, low, high, xtol=1e-10, rtol=1e-12))
            except (ValueError, RuntimeError):
                return None
    return bounds[0], bounds[1]


QUADRANTS = ("keep_up", "concentrate", "low_priority", "possible_overkill")


@dataclass(frozen=True)
class IPAItem(Result):
    name: str
    importance: float | None
    performance: float | None
    quadrant: str | None


@dataclass(frozen=True)
class ImportancePerformance(Result):
    """Importance x performance matrix split at the means (GB/T 19038/19039).

    Quadrants: ``keep_up`` (important, performing), ``concentrate``
    (important, under-performing: act here first), ``low_priority``
    (neither), ``possible_overkill`` (performing on what matters little).
    A value equal to the mean counts as high.
    """

    ok: bool
    reason: str | None
    measure: str
    importance_mean: float | None
    performance_mean: float | None
    items: tuple[IPAItem, ...]


def importance_performance(drivers: DriversResult, importance: str = "coefficient") -> ImportancePerformance:
    """Place each item in a quadrant; importance = regression coefficient or correlation.

    ``importance="coefficient"`` (log odds ratio per point) needs a
    successful regression; ``"correlation"`` works from the descriptive
    figures even when the regression failed.
    """
    if importance not in ("coefficient", "correlation"):
        raise ValueError("importance must be 'coefficient' or 'correlation'")
    if importance == "coefficient" and not drivers.ok:
        items = tuple(IPAItem(i.name, None, i.satisfaction_rate, None) for i in drivers.items)
        return ImportancePerformance(False, f"no regression: {drivers.reason}", importance, None, None, items)
    pairs = [(i.name, getattr(i, importance), i.satisfaction_rate) for i in drivers.items]
    usable = [(imp, perf) for _, imp, perf in pairs if imp is not None and perf is not None]
    if len(usable) < 2:
        items = tuple(IPAItem(nm, imp, perf, None) for nm, imp, perf in pairs)
        return ImportancePerformance(False, "fewer than two items with importance and performance",
                                     importance, None, None, items)
    imp_mean = float(np.mean([u[0] for u in usable]))
    perf_mean = float(np.mean([u[1] for u in usable]))
    out = []
    for nm, imp, perf in pairs:
        if imp is None or perf is None:
            out.append(IPAItem(nm, imp, perf, None))
            continue
        high_imp, high_perf = imp >= imp_mean, perf >= perf_mean
        quadrant = ("keep_up" if high_perf else "concentrate") if high_imp else \
                   ("possible_overkill" if high_perf else "low_priority")
        out.append(IPAItem(nm, imp, perf, quadrant))
    return ImportancePerformance(True, None, importance, imp_mean, perf_mean, tuple(out))
