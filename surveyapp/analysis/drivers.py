"""Key-driver analysis: which detail items move overall satisfaction.

A logistic regression of "overall satisfied" (0/1) on the detail item
scores (1-5, numeric) gives an odds ratio per one-point increase in each
item. Fitted with statsmodels' GLM Binomial and ``freq_weights`` so that
covariate patterns (unique rows + counts from SQL GROUP BY) give exactly
the same estimates and standard errors as the expanded rows.

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
from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationError, PerfectSeparationWarning

from ._common import Result

# Below this many events (or non-events) per item the estimates are unstable;
# reported as a note, not a failure (Peduzzi et al. 1996 rule of thumb).
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

    def failed(reason: str, notes: tuple[str, ...] = ()) -> DriversResult:
        items = tuple(DriverItem(names[j], rates[j], corrs[j], None, None, None, None, None) for j in range(k))
        return DriversResult(False, reason, n, events, dropped, None, items, notes)

    if k == 0:
        return failed("no items")
    if n < k + 2:
        return failed(f"too few respondents: {n} for {k} items")
    if events == 0 or events == n:
        return failed("overall satisfaction does not vary")
    design = sm.add_constant(x, has_constant="add")
    if np.linalg.matrix_rank(design) < k + 1:
        return failed("singular design: an item is constant or items are collinear")

    notes = []
    if min(events, n - events) < EVENTS_PER_ITEM * k:
        notes.append(f"fewer than {EVENTS_PER_ITEM} events per item: estimates are unstable")
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
    items = tuple(
        DriverItem(names[j], rates[j], corrs[j], float(params[j + 1]), float(np.exp(params[j + 1])),
                   float(np.exp(ci[j + 1, 0])), float(np.exp(ci[j + 1, 1])), float(pvalues[j + 1]))
        for j in range(k)
    )
    return DriversResult(True, None, n, events, dropped, float(params[0]), items, tuple(notes))


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
