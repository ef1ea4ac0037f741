"""Helpers shared by every analysis module.

Kept in one place so that the z value, the count validation and the JSON
conversion cannot drift apart between modules.
"""
from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from numbers import Integral, Real
from typing import Any

import numpy as np
from scipy.stats import norm


def z_value(confidence: float = 0.95) -> float:
    """Two-sided standard-normal quantile for a confidence level.

    Computed rather than hard-coded (1.96) so that 1.959964 is used
    consistently and other levels (0.90, 0.99) work the same way.
    """
    return _z_value(float(confidence))


@functools.lru_cache(maxsize=16)
def _z_value(confidence: float) -> float:
    """Cached: scipy's ppf costs ~0.2 ms a call, and the city overview asks for it 180 times."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be strictly between 0 and 1, got {confidence!r}")
    return float(norm.ppf(1.0 - (1.0 - confidence) / 2.0))


def exact_fraction(value: Any) -> Fraction:
    """Turn a rate or threshold into an exact Fraction *as written*.

    Floats go through ``str`` so that 0.03 means 3/100 rather than the binary
    double 0.0299999999999999988897769753748...; that is what makes
    ceil(0.03 * 100) equal 3 and "exactly 90 %" score full points.
    """
    if isinstance(value, bool):
        raise TypeError("a boolean is not a rate")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, Integral):
        return Fraction(int(value))
    if isinstance(value, Decimal):
        return Fraction(value)
    if isinstance(value, Real):
        f = float(value)
        if not math.isfinite(f):
            raise ValueError(f"not a finite number: {value!r}")
        return Fraction(repr(f))
    if isinstance(value, str):
        return Fraction(value)
    raise TypeError(f"cannot use {value!r} as an exact number")


def check_count(value: Any, what: str = "count") -> int:
    """Validate one non-negative integer count (numpy integers accepted).

    Counts come from SQL GROUP BY; a negative or fractional one means a bug
    upstream, and silently using it would skew a subsidy decision.
    """
    if isinstance(value, bool) or not isinstance(value, (Integral, np.integer)):
        # PostgreSQL returns SUM() of integers as NUMERIC (Decimal); accept
        # any whole number, refuse a fractional one.
        if isinstance(value, (float, np.floating, Decimal)) and math.isfinite(value) \
                and value == int(value):
            value = int(value)
        else:
            raise TypeError(f"{what} must be an integer, got {value!r}")
    value = int(value)
    if value < 0:
        raise ValueError(f"{what} must be non-negative, got {value}")
    return value


def code_counts(counts: Mapping[Any, Any], what: str = "count") -> dict[str, int]:
    """Normalise a ``{code: count}`` mapping to string codes and int counts.

    Choice codes arrive as strings from the questionnaire and sometimes as
    ints from SQL; comparing them as strings everywhere avoids "5" != 5 bugs.
    Two keys that collide after ``str`` (5 and "5") are added together.
    """
    out: dict[str, int] = {}
    for code, n in counts.items():
        key = str(code)
        out[key] = out.get(key, 0) + check_count(n, f"{what} for {code!r}")
    return out


def code_set(codes: Any) -> frozenset[str]:
    """Normalise a collection of choice codes (or a single code) to strings."""
    if codes is None:
        return frozenset()
    if isinstance(codes, (str, int)):
        return frozenset({str(codes)})
    return frozenset(str(c) for c in codes)


def jsonable(value: Any) -> Any:
    """Convert a result value into plain JSON types.

    numpy scalars become Python numbers, Fractions floats, NaN and infinities
    None (JSON has neither), tuples lists and mapping keys strings.
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (Integral, np.integer)):
        return int(value)
    if isinstance(value, (Real, np.floating, Decimal)):
        f = float(value)
        return f if math.isfinite(f) else None
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [jsonable(v) for v in value]
    raise TypeError(f"cannot convert {type(value).__name__} to JSON")


class Result:
    """Mixin for frozen result dataclasses: ``to_dict()`` gives JSON-able dicts."""

    def to_dict(self) -> dict[str, Any]:
        return jsonable(self)


def contains(low: float | None, high: float | None, value: float) -> bool:
    """Whether a closed interval contains ``value``; False for a missing interval."""
    if low is None or high is None:
        return False
    return low <= value <= high
