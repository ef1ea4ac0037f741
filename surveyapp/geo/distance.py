"""Distances on the WGS-84 ellipsoid.

Geodesic distance by Karney's algorithm (the ``geographiclib`` package, accurate to
nanometres), not a spherical formula: across a 1 km circle the sphere would be off by up to
half a percent, enough to move a community across the 15-minute line.
"""
from __future__ import annotations

from geographiclib.geodesic import Geodesic

from .points import GeoPoint

WGS84 = Geodesic.WGS84


def distance_m(a: GeoPoint, b: GeoPoint) -> float:
    """Straight-line (geodesic) distance in metres."""
    return WGS84.Inverse(a.lat, a.lon, b.lat, b.lon, Geodesic.DISTANCE)["s12"]


def offset(point: GeoPoint, bearing_deg: float, metres: float) -> GeoPoint:
    """The point ``metres`` away from ``point`` in direction ``bearing_deg`` (0 = north,
    90 = east). Used to place demo outlets and to draw map circles."""
    found = WGS84.Direct(point.lat, point.lon, bearing_deg, metres)
    return GeoPoint(found["lat2"], found["lon2"])
