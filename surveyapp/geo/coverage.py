"""15-minute coverage: for each required outlet type and each community, the nearest open
outlet and the walking time to it.

Definitions (tests/test_geo_coverage.py checks each on hand-computed cases):

* Only **open** outlets with a location count (a closed shop serves nobody; an outlet awaiting
  a duplicate merge is left out by the caller, like everywhere else).
* A community has one or several representative points (residential blocks). For each point
  the nearest outlet of the type is the one with the fewest walking minutes; the
  **community's** time is that of its worst-served point, so "covered" means every block
  reaches one within the limit. ``points_covered`` says how many of its points do.
* **Covered** when the minutes are at most ``max_minutes`` (15): exactly 15 is covered.
* **Share** per type: covered communities ÷ communities that have at least one point.
  Communities without a point are listed but not counted (nothing can be said of them).
* A type with open outlets in the circle but none located gives cells of state ``unlocated``;
  a type with no open outlet at all, ``absent``. ``far`` is the case the demand list names
  "有，但离某社区太远": the type is in the circle, located, and this community is beyond the limit.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from .points import GeoPoint
from .walking import WalkingTimes


@dataclass(frozen=True)
class OutletSite:
    id: int
    name: str
    type_code: str
    point: GeoPoint | None
    open: bool = True


@dataclass(frozen=True)
class CommunitySite:
    name: str
    points: tuple[GeoPoint, ...] = ()


@dataclass(frozen=True)
class CoverageCell:
    type_code: str
    community: str
    #: ``covered``, ``far``, ``unlocated`` (type present, no outlet has a location),
    #: ``absent`` (no open outlet of the type), ``no_point`` (the community has no point).
    state: str
    minutes: Fraction | None = None
    outlet_id: int | None = None
    outlet_name: str | None = None
    points: int = 0
    points_covered: int = 0

    @property
    def covered(self) -> bool:
        return self.state == "covered"

    def to_dict(self) -> dict:
        return {"type_code": self.type_code, "community": self.community, "state": self.state,
                "minutes": None if self.minutes is None else round(float(self.minutes), 1),
                "outlet_id": self.outlet_id, "outlet_name": self.outlet_name,
                "points": self.points, "points_covered": self.points_covered}


@dataclass(frozen=True)
class TypeCoverage:
    type_code: str
    cells: tuple[CoverageCell, ...]
    #: Communities with a point / of them covered; share = covered / assessed (None when 0).
    assessed: int
    covered: int
    open_outlets: int
    located_outlets: int

    @property
    def share(self) -> Fraction | None:
        return Fraction(self.covered, self.assessed) if self.assessed else None

    @property
    def far(self) -> tuple[str, ...]:
        """Communities for which the type exists in the circle but lies beyond the limit."""
        return tuple(cell.community for cell in self.cells if cell.state == "far")

    def to_dict(self) -> dict:
        return {"type_code": self.type_code, "assessed": self.assessed, "covered": self.covered,
                "share": None if self.share is None else float(self.share), "far": list(self.far),
                "open_outlets": self.open_outlets, "located_outlets": self.located_outlets,
                "cells": [cell.to_dict() for cell in self.cells]}


@dataclass(frozen=True)
class CoverageTable:
    max_minutes: Fraction
    method: str
    communities: tuple[str, ...]
    types: tuple[TypeCoverage, ...] = field(default_factory=tuple)

    def of_type(self, code: str) -> TypeCoverage | None:
        return next((t for t in self.types if t.type_code == code), None)

    def to_dict(self) -> dict:
        return {"max_minutes": float(self.max_minutes), "method": self.method,
                "communities": list(self.communities), "types": [t.to_dict() for t in self.types]}


def coverage_table(type_codes: Sequence[str], communities: Sequence[CommunitySite],
                   outlets: Sequence[OutletSite], walk: WalkingTimes, max_minutes: Fraction) -> CoverageTable:
    """The coverage table of ``type_codes`` × ``communities`` (both in the order given)."""
    max_minutes = Fraction(max_minutes)
    open_outlets = [o for o in outlets if o.open]
    types = []
    for code in type_codes:
        of_type = [o for o in open_outlets if o.type_code == code]
        located = [o for o in of_type if o.point is not None]
        cells = []
        for community in communities:
            cells.append(_cell(code, community, of_type, located, walk, max_minutes))
        assessed = sum(1 for c in cells if c.state != "no_point")
        covered = sum(1 for c in cells if c.covered)
        types.append(TypeCoverage(code, tuple(cells), assessed, covered, len(of_type), len(located)))
    return CoverageTable(max_minutes, walk.method, tuple(c.name for c in communities), tuple(types))


def _cell(code: str, community: CommunitySite, of_type, located, walk: WalkingTimes,
          max_minutes: Fraction) -> CoverageCell:
    if not community.points:
        return CoverageCell(code, community.name, "no_point")
    if not of_type:
        return CoverageCell(code, community.name, "absent", points=len(community.points))
    if not located:
        return CoverageCell(code, community.name, "unlocated", points=len(community.points))
    matrix = walk.minutes(community.points, [o.point for o in located])
    worst: tuple[Fraction, OutletSite] | None = None
    reached = 0
    unreachable = False
    for row in matrix:
        best = None
        for outlet, minutes in zip(located, row):
            # Ties go to the outlet listed first (callers list outlets by id), so the same
            # data always names the same outlet.
            if minutes is not None and (best is None or minutes < best[0]):
                best = (minutes, outlet)
        if best is None:
            unreachable = True
            continue
        if best[0] <= max_minutes:
            reached += 1
        if worst is None or best[0] > worst[0]:
            worst = best
    if worst is None:
        return CoverageCell(code, community.name, "far", points=len(community.points))
    covered = reached == len(community.points) and not unreachable
    return CoverageCell(code, community.name, "covered" if covered else "far", minutes=worst[0],
                        outlet_id=worst[1].id, outlet_name=worst[1].name, points=len(community.points),
                        points_covered=reached)
