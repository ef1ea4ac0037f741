"""The server-drawn outlet map (surveyapp.charts.outlet_map): deterministic bytes, every label
escaped, well-formed SVG, a scale bar whose length matches the projection, a north arrow."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from surveyapp.charts import outlet_map
from surveyapp.geo import GeoPoint
from surveyapp.geo.distance import offset

SVG = "{http://www.w3.org/2000/svg}"
HOME = GeoPoint(39.9, 116.4)


def world(name="东社区"):
    east = offset(HOME, 90, 500)
    communities = [{"name": name, "points": [{"lat": HOME.lat, "lon": HOME.lon}]},
                   {"name": "西社区", "points": [{"lat": east.lat, "lon": east.lon}]}]
    outlets = []
    for i in range(12):
        p = offset(HOME, i * 30, 80 * (i + 1))
        outlets.append({"name": f"门店{i}", "lat": p.lat, "lon": p.lon, "group": "basic" if i % 2 else "quality",
                        "type_code": "breakfast" if i == 3 else "pharmacy"})
    return communities, outlets


def test_identical_data_gives_identical_bytes():
    a = outlet_map(*world(), radius_m=1000)
    b = outlet_map(*world(), radius_m=1000)
    assert str(a) == str(b)
    assert str(outlet_map(*world("南社区"), radius_m=1000)) != str(a)


def test_every_label_is_escaped_and_the_document_is_well_formed():
    nasty = '<script>alert("x")</script>&amp;\x00'
    communities, outlets = world(nasty)
    outlets[3]["name"] = '"><img src=x onerror=alert(1)>'
    svg = str(outlet_map(communities, outlets, radius_m=1000, title="<b>标题</b>", highlight=["breakfast"]))
    assert "<script" not in svg and "<img" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg and "&lt;img" in svg
    root = ET.fromstring(svg)  # raises on anything ill-formed
    texts = ["".join(t.itertext()) for t in root.iter(SVG + "text")]
    assert any(t.startswith("<script>") for t in texts)  # drawn as the characters typed (truncated)


def test_scale_bar_north_arrow_circles_and_legend():
    svg = str(outlet_map(*world(), radius_m=1000, minutes=15))
    root = ET.fromstring(svg)
    groups = {g.get("class"): g for g in root.iter(SVG + "g") if g.get("class")}
    assert {"scale-bar", "north-arrow", "walk-circles", "outlets", "communities", "legend"} <= set(groups)
    assert "".join(groups["north-arrow"].itertext()) == "北"
    assert len(list(groups["walk-circles"].iter(SVG + "circle"))) == 2
    assert len(list(groups["outlets"].iter(SVG + "circle"))) == 12
    # The 15-minute circle's radius and the scale bar use one scale: bar px / bar metres = r px / 1000 m.
    radius_px = float(next(groups["walk-circles"].iter(SVG + "circle")).get("r"))
    path = next(groups["scale-bar"].iter(SVG + "path")).get("d")
    xs = [float(v) for v in re.findall(r"L ([0-9.]+)", path)]
    bar_px = xs[1] - xs[0]
    label = "".join(groups["scale-bar"].itertext())
    metres = int(label.split()[0]) * (1000 if "公里" in label else 1)
    assert abs(bar_px / metres - radius_px / 1000) < 0.002
    assert "步行 15 分钟（约 1000 米）" in "".join(groups["legend"].itertext())


def test_north_is_up_and_east_is_right():
    north = offset(HOME, 0, 400)
    east = offset(HOME, 90, 400)
    svg = str(outlet_map([{"name": "中", "points": [{"lat": HOME.lat, "lon": HOME.lon}]}],
                         [{"name": "北店", "lat": north.lat, "lon": north.lon},
                          {"name": "东店", "lat": east.lat, "lon": east.lon}]))
    root = ET.fromstring(svg)
    dots = {c.find(SVG + "title").text: (float(c.get("cx")), float(c.get("cy")))
            for c in root.iter(SVG + "circle") if c.find(SVG + "title") is not None}
    square = next(r for r in root.iter(SVG + "rect") if r.get("width") == "10")
    cx, cy = float(square.get("x")) + 5, float(square.get("y")) + 5
    assert dots["北店"][1] < cy and abs(dots["北店"][0] - cx) < 0.5
    assert dots["东店"][0] > cx and abs(dots["东店"][1] - cy) < 0.5
    # Equal metres both ways: 400 m north and 400 m east are the same number of pixels away.
    assert abs((cy - dots["北店"][1]) - (dots["东店"][0] - cx)) < 0.5


def test_nothing_to_draw_gives_a_message():
    svg = str(outlet_map([], []))
    assert "还没有定位的社区或网点" in svg
