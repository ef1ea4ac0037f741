"""Cronbach's alpha for a block of Likert items (GB/T 19039 asks for it).

Accepts either a respondents x items matrix or covariate patterns (unique
rows plus how many respondents gave each), so a million questionnaires can
be reduced by SQL GROUP BY to a few thousand patterns first.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._common import Result


@dataclass(frozen=True)
class AlphaResult(Result):
    """alpha None (with ``reason``) when it is undefined.

    ``alpha_if_deleted`` is alpha recomputed without each item (None when
    fewer than three items): an item whose removal raises alpha measures
    something else.
    """

    alpha: float | None
    items: int
    respondents: int
    dropped: int
    reason: str | None
    alpha_if_deleted: tuple[float | None, ...] | None


def _as_patterns(matrix: Any, rows: Any, frequencies: Any, mask: Any) -> tuple[np.ndarray, np.ndarray, int]:
    """(complete rows, integer frequencies, respondents dropped) with listwise deletion."""
    if (matrix is None) == (rows is None):
        raise ValueError("give either matrix or rows (with frequencies)")
    x = np.asarray(matrix if matrix is not None else rows, dtype=float)
    if x.ndim != 2:
        raise ValueError("the data must be two-dimensional: respondents x items")
    if matrix is not None:
        if frequencies is not None:
            raise ValueError("frequencies go with rows, not with matrix")
        f = np.ones(x.shape[0], dtype=np.int64)
    else:
        if frequencies is None:
            raise ValueError("rows need frequencies")
        f_raw = np.asarray(frequencies)
        if f_raw.shape != (x.shape[0],):
            raise ValueError("one frequency per row")
        if np.any(f_raw < 0) or np.any(f_raw != np.round(f_raw)):
            raise ValueError("frequencies must be non-negative integers")
        f = f_raw.astype(np.int64)
    keep = np.all(np.isfinite(x), axis=1)
    if mask is not None:
        m = np.asarray(mask, dtype=bool)
        if m.shape != x.shape:
            raise ValueError("mask must have the shape of the data")
        keep &= np.all(m, axis=1)
    dropped = int(f[~keep].sum())
    return x[keep], f[keep], dropped


def _alpha(x: np.ndarray, f: np.ndarray) -> float | None:
    """alpha = k/(k-1) x (1 - sum item variances / variance of the total).

    Frequency-weighted variances; the divisor (n or n - 1) cancels in the
    ratio, so population variances are used.
    """
    k = x.shape[1]
    n = f.sum()

    def var(v: np.ndarray) -> float:
        mean = (f * v).sum() / n
        return float((f * (v - mean) ** 2).sum() / n)

    total_var = var(x.sum(axis=1))
    if total_var <= 0.0:
        return None
    item_var = sum(var(x[:, j]) for j in range(k))
    return k / (k - 1) * (1.0 - item_var / total_var)


def cronbach_alpha(matrix: Any = None, *, rows: Any = None, frequencies: Any = None,
                   mask: Any = None) -> AlphaResult:
    """Cronbach's alpha on complete cases.

    ``matrix``: respondents x items, NaN for a missing or don't-know answer;
    or ``rows`` + ``frequencies``: unique answer patterns and their counts.
    ``mask`` (same shape, True = usable answer) is the alternative to NaN.
    Rows with any unusable answer are dropped (listwise deletion).
    """
    x, f, dropped = _as_patterns(matrix, rows, frequencies, mask)
    k = x.shape[1]
    n = int(f.sum())
    if k < 2:
        return AlphaResult(None, k, n, dropped, "fewer than two items", None)
    if n < 2:
        return AlphaResult(None, k, n, dropped, "fewer than two complete respondents", None)
    alpha = _alpha(x, f)
    if alpha is None:
        return AlphaResult(None, k, n, dropped, "total score does not vary", None)
    deleted = None
    if k >= 3:
        deleted = tuple(_alpha(np.delete(x, j, axis=1), f) for j in range(k))
    return AlphaResult(alpha, k, n, dropped, None, deleted)
