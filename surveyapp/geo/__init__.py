"""Locations: points on the WGS-84 datum, distances, the GCJ-02 datum of Chinese web maps,
walking times and 15-minute coverage.

Pure: no Flask, no database. Every coordinate stored by the application is **WGS-84**
(what GPS and the browser's geolocation give, EPSG:4326); a map drawn on tiles in another datum
converts at its edge (:mod:`surveyapp.geo.datum`).
"""
from .coverage import CommunitySite, CoverageCell, CoverageTable, OutletSite, coverage_table
from .datum import DATUMS, from_display, gcj02_to_wgs84, to_display, wgs84_to_gcj02
from .distance import distance_m
from .points import GeoPoint, GeoPointError, parse_geopoint
from .walking import StraightLineWalk, WalkingTimes

__all__ = [
    "CommunitySite", "CoverageCell", "CoverageTable", "OutletSite", "coverage_table",
    "DATUMS", "from_display", "gcj02_to_wgs84", "to_display", "wgs84_to_gcj02",
    "distance_m", "GeoPoint", "GeoPointError", "parse_geopoint", "StraightLineWalk", "WalkingTimes",
]
