"""A point on the WGS-84 datum, and reading one from what a person or a phone gives.

The text form is XLSForm's geopoint: ``"latitude longitude [altitude [accuracy]]"`` separated
by spaces (commas and full-width characters are accepted from paper forms typed in later).
Latitude first, as printed on Chinese forms and as the browser reports it.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

#: Digits kept when a coordinate is stored: 1e-7 degree is about 1 cm, far below any phone's
#: accuracy, and keeps stored values (and the bytes of maps drawn from them) stable.
COORDINATE_DIGITS = 7
#: A reported accuracy beyond this is not a location at all (a phone that only knows the city).
MAX_ACCURACY_M = 5000.0

_SEPARATORS = re.compile(r"[\s,;，；、]+")


class GeoPointError(ValueError):
    """Not a usable location; the message is Chinese, for the person who typed it."""


@dataclass(frozen=True)
class GeoPoint:
    """Latitude and longitude in degrees on WGS-84; ``accuracy`` in metres when a phone gave it
    (None for a pin placed by hand or a typed coordinate)."""

    lat: float
    lon: float
    accuracy: float | None = None

    def __post_init__(self):
        for name in ("lat", "lon"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise GeoPointError("坐标必须是数字")
        if not -90 <= self.lat <= 90:
            raise GeoPointError("纬度应在 -90 到 90 之间")
        if not -180 <= self.lon <= 180:
            raise GeoPointError("经度应在 -180 到 180 之间")
        if self.accuracy is not None and (not math.isfinite(self.accuracy) or self.accuracy < 0):
            raise GeoPointError("定位精度应为不小于 0 的米数")
        object.__setattr__(self, "lat", round(float(self.lat), COORDINATE_DIGITS))
        object.__setattr__(self, "lon", round(float(self.lon), COORDINATE_DIGITS))
        if self.accuracy is not None:
            object.__setattr__(self, "accuracy", round(float(self.accuracy), 1))

    def to_json(self) -> dict[str, Any]:
        """How an answer stores it: ``{"lat", "lon", "accuracy"}`` (accuracy may be null)."""
        return {"lat": self.lat, "lon": self.lon, "accuracy": self.accuracy}

    @classmethod
    def from_json(cls, value: dict) -> GeoPoint:
        return cls(float(value["lat"]), float(value["lon"]),
                   None if value.get("accuracy") is None else float(value["accuracy"]))

    def text(self) -> str:
        """The XLSForm text form, ``"lat lon"`` (with ``" 0 accuracy"`` when known)."""
        base = f"{self.lat:.{COORDINATE_DIGITS}f} {self.lon:.{COORDINATE_DIGITS}f}"
        return base if self.accuracy is None else f"{base} 0 {self.accuracy:g}"


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise GeoPointError("请填写“纬度 经度”两个数字，如 39.9087 116.3975") from None
    if not math.isfinite(value):
        raise GeoPointError("坐标必须是数字")
    return value


def parse_geopoint(value: Any) -> GeoPoint:
    """A :class:`GeoPoint` from text (``"lat lon [alt [acc]]"``), a ``{"lat", "lon",
    "accuracy"?}`` mapping, or a GeoPoint. Raises :class:`GeoPointError` with a Chinese message."""
    if isinstance(value, GeoPoint):
        return value
    if isinstance(value, dict):
        try:
            return GeoPoint.from_json(value)
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, GeoPointError):
                raise
            raise GeoPointError("请填写“纬度 经度”两个数字，如 39.9087 116.3975") from None
    text = unicodedata.normalize("NFKC", str(value)).strip()
    parts = [p for p in _SEPARATORS.split(text) if p]
    if not 2 <= len(parts) <= 4:
        raise GeoPointError("请填写“纬度 经度”两个数字，如 39.9087 116.3975")
    numbers = [_number(p) for p in parts]
    accuracy = numbers[3] if len(numbers) == 4 else None
    if accuracy is not None and accuracy > MAX_ACCURACY_M:
        raise GeoPointError("定位误差太大，请到门店门口重新定位，或在地图上选点")
    if accuracy == 0:
        accuracy = None  # XLSForm writes 0 for a point placed by hand
    return GeoPoint(numbers[0], numbers[1], accuracy)
