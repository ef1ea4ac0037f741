"""Reading numbers out of the summary and evaluation documents (JSON), where a figure may be
missing, a boolean or not finite: the report prints "—" for those rather than failing."""
from __future__ import annotations

import math
from typing import Any


def number_or_none(value: Any) -> float | None:
    """The value as a finite float, or None when it is missing, a boolean, not a number or
    not finite."""
    if value is None or isinstance(value, bool):
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None
