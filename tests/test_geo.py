"""Points, distances and the GCJ-02 datum (surveyapp.geo): hand-computed and published values."""
from __future__ import annotations

import math

import pytest

from surveyapp.geo import GeoPoint, GeoPointError, distance_m, gcj02_to_wgs84, parse_geopoint, wgs84_to_gcj02
from surveyapp.geo.datum import from_display, out_of_china, to_display
from surveyapp.geo.distance import offset

# WGS-84 ellipsoid, for the hand computation below.
A = 6378137.0
F = 1 / 298.257223563
E2 = F * (2 - F)
BEIJING = GeoPoint(39.9042, 116.4074)


def meridian_radius(lat_deg: float) -> float:
    s = math.sin(math.radians(lat_deg))
    return A * (1 - E2) / (1 - E2 * s * s) ** 1.5


def parallel_radius(lat_deg: float) -> float:
    s = math.sin(math.radians(lat_deg))
    return A / math.sqrt(1 - E2 * s * s) * math.cos(math.radians(lat_deg))


def test_two_points_1000_m_apart_north_south_in_beijing():
    # Δφ = 1000 m / M(φ_mid); one refinement of φ_mid is plenty over 0.009°.
    dlat = math.degrees(1000 / meridian_radius(BEIJING.lat))
    dlat = math.degrees(1000 / meridian_radius(BEIJING.lat + dlat / 2))
    north = GeoPoint(BEIJING.lat + dlat, BEIJING.lon)
    assert round(dlat, 6) == 0.009006  # about 111.03 km per degree of latitude at 40°N
    # 1e-7° of stored rounding is 1.1 cm: the geodesic distance is 1000 m to within 2 cm.
    assert distance_m(BEIJING, north) == pytest.approx(1000, abs=0.02)
    assert distance_m(north, BEIJING) == pytest.approx(distance_m(BEIJING, north), abs=1e-9)


def test_two_points_1000_m_apart_east_west_in_beijing():
    dlon = math.degrees(1000 / parallel_radius(BEIJING.lat))
    assert round(dlon, 6) == 0.011694  # about 85.51 km per degree of longitude at 40°N
    east = GeoPoint(BEIJING.lat, BEIJING.lon + dlon)
    # Along a parallel the geodesic bows poleward: over 1 km the difference is far below 1 cm.
    assert distance_m(BEIJING, east) == pytest.approx(1000, abs=0.02)


def test_offset_walks_the_given_distance_and_bearing():
    moved = offset(BEIJING, 90, 500)
    assert moved.lat == pytest.approx(BEIJING.lat, abs=1e-6) and moved.lon > BEIJING.lon
    assert distance_m(BEIJING, moved) == pytest.approx(500, abs=0.02)


# Published pairs (WGS-84 → GCJ-02): the test vectors of the eviltransform implementations
# (Shanghai, Shenzhen, Beijing), and Tiananmen as returned by AMap's own conversion service.
PUBLISHED = [
    ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),
    ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),
    ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),
]


@pytest.mark.parametrize("wgs, gcj", PUBLISHED)
def test_wgs84_to_gcj02_on_published_points(wgs, gcj):
    lat, lon = wgs84_to_gcj02(*wgs)
    assert lat == pytest.approx(gcj[0], abs=1e-9) and lon == pytest.approx(gcj[1], abs=1e-9)


@pytest.mark.parametrize("wgs, gcj", PUBLISHED)
def test_gcj02_to_wgs84_recovers_the_published_wgs84_point(wgs, gcj):
    lat, lon = gcj02_to_wgs84(*gcj)
    assert distance_m(GeoPoint(lat, lon), GeoPoint(*wgs)) < 0.001  # under a millimetre


def test_tiananmen_against_amaps_conversion_service():
    # AMap's coordinate service converts WGS-84 (39.90734, 116.39089) to (39.90874539, 116.39713623);
    # the public formula lands within a metre of it.
    lat, lon = wgs84_to_gcj02(39.90734, 116.39089)
    assert distance_m(GeoPoint(lat, lon), GeoPoint(39.90874539, 116.39713623)) < 1.0
    # ...and the shift itself is several hundred metres, which is why it matters.
    assert 400 < distance_m(GeoPoint(lat, lon), GeoPoint(39.90734, 116.39089)) < 700


def test_published_inverse_point_in_the_north_east():
    # gcoord's test: GCJ-02 (45, 123) → WGS-84 (44.99804071, 122.99395597), to 5 decimals.
    lat, lon = gcj02_to_wgs84(45, 123)
    assert lat == pytest.approx(44.99804071, abs=5e-6) and lon == pytest.approx(122.99395597, abs=5e-6)


def test_points_outside_china_are_not_shifted():
    assert out_of_china(51.5, -0.12)
    assert wgs84_to_gcj02(51.5, -0.12) == (51.5, -0.12)
    assert gcj02_to_wgs84(51.5, -0.12) == (51.5, -0.12)


def test_display_datum_round_trip():
    shown = to_display(BEIJING, "gcj02")
    assert shown != (BEIJING.lat, BEIJING.lon)
    back = from_display(*shown, "gcj02")
    assert distance_m(back, BEIJING) < 0.02
    assert to_display(BEIJING, "wgs84") == (BEIJING.lat, BEIJING.lon)
    with pytest.raises(ValueError):
        to_display(BEIJING, "bd09")


@pytest.mark.parametrize("text, expected", [
    ("39.9042 116.4074", (39.9042, 116.4074, None)),
    ("39.9042,116.4074", (39.9042, 116.4074, None)),
    ("３９.９０４２，１１６.４０７４", (39.9042, 116.4074, None)),  # full width, typed from paper
    ("39.9042 116.4074 43.5 12", (39.9042, 116.4074, 12.0)),
    ("39.9042 116.4074 0 0", (39.9042, 116.4074, None)),  # XLSForm: 0 accuracy = placed by hand
    ({"lat": 39.9042, "lon": 116.4074, "accuracy": 8}, (39.9042, 116.4074, 8.0)),
])
def test_parse_geopoint(text, expected):
    point = parse_geopoint(text)
    assert (point.lat, point.lon, point.accuracy) == expected


@pytest.mark.parametrize("bad", ["", "39.9", "北京", "91 116", "39 181", "39 116 0 -3", "39 116 0 9000",
                                 "nan 116", "1 2 3 4 5", {"lat": "x"}])
def test_parse_geopoint_refuses_with_a_chinese_message(bad):
    with pytest.raises(GeoPointError) as caught:
        parse_geopoint(bad)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(caught.value))


def test_stored_form_is_rounded_and_round_trips():
    point = GeoPoint(39.904212345678, 116.40741234567, 7.25)
    assert point.lat == 39.9042123 and point.lon == 116.4074123 and point.accuracy == 7.2
    assert GeoPoint.from_json(point.to_json()) == point
    assert parse_geopoint(point.text()) == point
