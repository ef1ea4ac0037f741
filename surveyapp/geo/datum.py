"""WGS-84 ↔ GCJ-02, the datum of Chinese web maps.

Maps published in mainland China (高德/AMap, 腾讯/Tencent, and Google's China tiles) are drawn in
**GCJ-02** ("火星坐标", the 国测局 2002 datum): WGS-84 shifted by a deliberately non-linear
offset of a few hundred metres. 天地图 uses CGCS2000, which is within centimetres of WGS-84, so
no conversion is needed there. The application stores WGS-84 only; a map whose tiles are
GCJ-02 converts points on the way to the browser (:func:`to_display`) and points placed on
it on the way back (:func:`from_display`).

The forward transform is the widely published reverse-engineered formula (Krasovsky 1940
ellipsoid constants); it is only defined inside China's rough bounding box and leaves points
outside it unchanged. The inverse has no closed form: :func:`gcj02_to_wgs84` iterates the
forward transform until it reproduces the GCJ-02 point to within 1e-9 degree (about 0.1 mm).
Written here by hand (about 40 lines); tests check it against points published with other
implementations.
"""
from __future__ import annotations

import math

from .points import GeoPoint

#: The datums a map may be drawn in (setting MAP_TILE_DATUM).
DATUMS = ("wgs84", "gcj02")

_A = 6378245.0                        # Krasovsky 1940 semi-major axis, metres
_EE = 0.00669342162296594323          # its first eccentricity squared


def out_of_china(lat: float, lon: float) -> bool:
    """Outside the box in which GCJ-02 differs from WGS-84."""
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _waves(x: float, y: float) -> tuple[float, float]:
    """The published offset polynomials and sine terms (x = lon − 105, y = lat − 35)."""
    shared = (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x)) + shared
    dlat += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    dlat += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x)) + shared
    dlon += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    dlon += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return dlat, dlon


def _forward(lat: float, lon: float) -> tuple[float, float]:
    if out_of_china(lat, lon):
        return lat, lon
    dlat, dlon = _waves(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * math.cos(radlat) * math.pi)
    return lat + dlat, lon + dlon


def wgs84_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    """(lat, lon) on WGS-84 → (lat, lon) on GCJ-02."""
    return _forward(lat, lon)


def gcj02_to_wgs84(lat: float, lon: float, tolerance: float = 1e-9, max_steps: int = 30) -> tuple[float, float]:
    """(lat, lon) on GCJ-02 → (lat, lon) on WGS-84, by fixed-point iteration of the forward
    transform (the offset changes slowly, so each step gains several digits)."""
    if out_of_china(lat, lon):
        return lat, lon
    wlat, wlon = lat, lon
    for _ in range(max_steps):
        glat, glon = _forward(wlat, wlon)
        dlat, dlon = glat - lat, glon - lon
        wlat, wlon = wlat - dlat, wlon - dlon
        if abs(dlat) < tolerance and abs(dlon) < tolerance:
            break
    return wlat, wlon


def to_display(point: GeoPoint, datum: str) -> tuple[float, float]:
    """A stored (WGS-84) point as (lat, lon) in the datum of the map's tiles."""
    if datum == "gcj02":
        return wgs84_to_gcj02(point.lat, point.lon)
    if datum == "wgs84":
        return point.lat, point.lon
    raise ValueError(f"unknown datum {datum!r} (one of {', '.join(DATUMS)})")


def from_display(lat: float, lon: float, datum: str, accuracy: float | None = None) -> GeoPoint:
    """A point placed on a map drawn in ``datum`` as a WGS-84 :class:`GeoPoint` to store."""
    if datum == "gcj02":
        lat, lon = gcj02_to_wgs84(lat, lon)
    elif datum != "wgs84":
        raise ValueError(f"unknown datum {datum!r} (one of {', '.join(DATUMS)})")
    return GeoPoint(lat, lon, accuracy)
