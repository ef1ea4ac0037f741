"""Walking times between points, behind one small interface.

:class:`WalkingTimes` is what the coverage table needs: a matrix of walking minutes from
origins (community points) to destinations (outlets). Today's implementation is
:class:`StraightLineWalk` — geodesic distance × a detour factor, at a walking speed — both
numbers from the rules file, where they are marked 试行. A routing engine on a street graph
fits the same interface without touching the coverage code: OSRM's ``/table/v1/foot`` service
and Valhalla's ``sources_to_targets`` both answer exactly this matrix (durations in seconds;
divide by 60). No router is written here.
"""
from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Protocol, runtime_checkable

from .distance import distance_m
from .points import GeoPoint

#: Distances are kept to the centimetre before the rule's arithmetic, which is then exact
#: (fractions): a community exactly 15 minutes away is covered, whatever the float noise.
CENTIMETRE = Fraction(1, 100)


@runtime_checkable
class WalkingTimes(Protocol):
    """Walking minutes from each origin to each destination (None: no route)."""

    #: How the minutes were estimated, in Chinese, for the reader of a table or report.
    method: str

    def minutes(self, origins: Sequence[GeoPoint],
                destinations: Sequence[GeoPoint]) -> list[list[Fraction | None]]: ...


def centimetres(metres: float) -> Fraction:
    """``metres`` rounded half up to the centimetre, as an exact fraction."""
    return Fraction(int(Fraction(metres) / CENTIMETRE + Fraction(1, 2))) * CENTIMETRE


class StraightLineWalk:
    """Straight-line (geodesic) distance × ``detour_factor`` ÷ ``metres_per_minute``."""

    def __init__(self, detour_factor: Fraction, metres_per_minute: Fraction, *, trial: bool = True):
        if detour_factor < 1:
            raise ValueError("the detour factor cannot be below 1 (no walk is shorter than the straight line)")
        if metres_per_minute <= 0:
            raise ValueError("the walking speed must be positive")
        self.detour_factor = Fraction(detour_factor)
        self.metres_per_minute = Fraction(metres_per_minute)
        trial_text = "（试行）" if trial else ""
        self.method = (f"直线距离 × 绕行系数 {_plain(self.detour_factor)}，按每分钟步行 "
                       f"{_plain(self.metres_per_minute)} 米估算{trial_text}")

    def walk_metres(self, a: GeoPoint, b: GeoPoint) -> Fraction:
        return centimetres(distance_m(a, b)) * self.detour_factor

    def minutes(self, origins, destinations):
        return [[self.walk_metres(o, d) / self.metres_per_minute for d in destinations] for o in origins]

    def radius_m(self, minutes: Fraction) -> float:
        """The straight-line radius reached in ``minutes`` (for drawing the circle on a map)."""
        return float(Fraction(minutes) * self.metres_per_minute / self.detour_factor)


def _plain(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    return f"{float(value):g}"
