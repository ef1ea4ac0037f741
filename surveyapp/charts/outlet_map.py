"""The outlet map drawn on the server: communities, their 15-minute circles and the outlets, as
SVG with no tiles — for the PDF reports, the demand list and the circle's public page.

Pure (no Flask, no database): plain points in, :class:`markupsafe.Markup` out, through the same
element builder as every chart (:mod:`surveyapp.charts.svg`), so every label is escaped
character data and the same input gives the same bytes.

Projection: a local equirectangular plane around the middle of the points, using the WGS-84
radii of curvature there (metres east and north). Over a circle of a few kilometres its error is
far below a drawn dot. North is up; the scale bar and the circles share the one scale.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from markupsafe import Markup

from .svg import (AXIS, INK, MUTED, SMALL_FONT, WHITE, baseline, document, el, fmt, group, heading, label,
                  message_chart, text, text_width)

_A = 6378137.0
_F = 1 / 298.257223563
_E2 = _F * (2 - _F)

BACKGROUND = "#f6f4ef"
GROUP_COLOURS = {"basic": "#a4262c", "quality": "#1f4e8a"}
HIGHLIGHT = "#d08c00"
CIRCLE = "#6b6b6b"
#: Scale-bar lengths to choose from (metres).
NICE_LENGTHS = (25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000)
MIN_EXTENT_M = 300.0
#: Marked outlets are named on the map up to this many.
MAX_NAMED = 6


def _radii(lat: float) -> tuple[float, float]:
    """(metres per degree east, metres per degree north) at latitude ``lat`` on WGS-84."""
    s = math.sin(math.radians(lat))
    w = 1 - _E2 * s * s
    north = _A * (1 - _E2) / w ** 1.5
    east = _A / math.sqrt(w) * math.cos(math.radians(lat))
    return east * math.pi / 180, north * math.pi / 180


def _scale_length(metres_per_px: float, max_px: float) -> int:
    best = NICE_LENGTHS[0]
    for length in NICE_LENGTHS:
        if length / metres_per_px <= max_px:
            best = length
    return best


def _distance_text(metres: int) -> str:
    return f"{metres // 1000} 公里" if metres >= 1000 and metres % 1000 == 0 else f"{metres} 米"


def outlet_map(communities: Sequence[Mapping], outlets: Sequence[Mapping], *, radius_m: float | None = None,
               title: str = "网点分布图", width: float = 640, height: float = 460, responsive: bool = False,
               minutes: float = 15, highlight: Sequence[str] = ()) -> Markup:
    """The map. ``communities``: ``[{"name", "points": [{"lat", "lon"}]}]``; ``outlets``:
    ``[{"name", "lat", "lon", "group"?, "type_code"?}]`` (WGS-84 degrees). ``radius_m``: the
    straight-line radius of a ``minutes`` walk, drawn as a dashed circle around every community
    point. Outlets whose ``type_code`` is in ``highlight`` are drawn larger, in amber, and named."""
    points = [(p["lat"], p["lon"]) for c in communities for p in c.get("points", ())]
    spots = points + [(o["lat"], o["lon"]) for o in outlets]
    if not spots:
        return message_chart(width, title, "还没有定位的社区或网点", responsive=responsive, cls="chart map")
    lat0 = (min(s[0] for s in spots) + max(s[0] for s in spots)) / 2
    lon0 = (min(s[1] for s in spots) + max(s[1] for s in spots)) / 2
    kx, ky = _radii(lat0)

    def metres(lat: float, lon: float) -> tuple[float, float]:
        return (lon - lon0) * kx, (lat - lat0) * ky

    xs, ys = [], []
    reach = radius_m or 0.0
    for lat, lon in points:
        x, y = metres(lat, lon)
        xs += [x - reach, x + reach]
        ys += [y - reach, y + reach]
    for o in outlets:
        x, y = metres(o["lat"], o["lon"])
        xs.append(x)
        ys.append(y)
    span_x = max(max(xs) - min(xs), MIN_EXTENT_M) * 1.08
    span_y = max(max(ys) - min(ys), MIN_EXTENT_M) * 1.08
    mid_x, mid_y = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2

    top, bottom, side = 34.0, 46.0, 10.0
    plot_w, plot_h = width - 2 * side, height - top - bottom
    scale = min(plot_w / span_x, plot_h / span_y)  # pixels per metre, the same both ways

    def px(lat: float, lon: float) -> tuple[float, float]:
        x, y = metres(lat, lon)
        return side + plot_w / 2 + (x - mid_x) * scale, top + plot_h / 2 - (y - mid_y) * scale

    body: list[object] = [
        text(side, 22, title, size=14, weight="bold", cls="chart-title"),
        el("rect", {"x": side, "y": top, "width": plot_w, "height": plot_h, "fill": BACKGROUND,
                    "stroke": AXIS, "stroke-width": 1}),
    ]
    clip_shapes: list[object] = []
    if radius_m:
        for lat, lon in points:
            cx, cy = px(lat, lon)
            clip_shapes.append(el("circle", {"cx": cx, "cy": cy, "r": radius_m * scale, "fill": "none",
                                             "stroke": CIRCLE, "stroke-width": 1, "stroke-dasharray": "5 4"}))
    body.append(group(clip_shapes, class_="walk-circles"))

    highlight = set(highlight)
    # Names only while they can be read: beyond a handful of marked outlets they would pile up.
    name_them = sum(1 for o in outlets if o.get("type_code") in highlight) <= MAX_NAMED
    dots, names = [], []
    for o in outlets:
        x, y = px(o["lat"], o["lon"])
        special = o.get("type_code") in highlight
        colour = HIGHLIGHT if special else GROUP_COLOURS.get(o.get("group") or "basic", GROUP_COLOURS["basic"])
        dots.append(el("circle", {"cx": x, "cy": y, "r": 5 if special else 3.5, "fill": colour,
                                  "stroke": WHITE, "stroke-width": 0.8}, el("title", {}, o.get("name") or "")))
        if special and name_them:
            names.append(label(x + 7, baseline(y, SMALL_FONT), o.get("name") or "", 16, size=SMALL_FONT, fill=INK))
    body.append(group(dots, class_="outlets"))

    marks = []
    for community in communities:
        for index, p in enumerate(community.get("points", ())):
            x, y = px(p["lat"], p["lon"])
            marks.append(el("rect", {"x": x - 5, "y": y - 5, "width": 10, "height": 10, "fill": WHITE,
                                     "stroke": INK, "stroke-width": 2}))
            if index == 0:
                marks.append(label(x + 8, baseline(y - 9, 12), community.get("name") or "", 14, size=12,
                                   weight="bold", fill=INK))
    body.append(group(marks, class_="communities"))
    body.append(group(names, class_="outlet-names"))

    # North arrow, top right of the plot.
    nx, ny = side + plot_w - 22, top + 12
    body.append(group([
        el("path", {"d": f"M {fmt(nx)} {fmt(ny)} L {fmt(nx + 7)} {fmt(ny + 20)} L {fmt(nx)} {fmt(ny + 15)} "
                         f"L {fmt(nx - 7)} {fmt(ny + 20)} Z", "fill": INK}),
        text(nx, ny + 33, "北", size=SMALL_FONT, anchor="middle", fill=INK),
    ], class_="north-arrow"))

    # Scale bar, bottom left below the plot.
    length = _scale_length(1 / scale, plot_w / 4)
    bar = length * scale
    sx, sy = side, top + plot_h + 16
    body.append(group([
        el("path", {"d": f"M {fmt(sx)} {fmt(sy - 4)} L {fmt(sx)} {fmt(sy)} L {fmt(sx + bar)} {fmt(sy)} "
                         f"L {fmt(sx + bar)} {fmt(sy - 4)}", "fill": "none", "stroke": INK, "stroke-width": 1.5}),
        text(sx + bar + 6, baseline(sy - 2, SMALL_FONT), _distance_text(length), size=SMALL_FONT, fill=INK),
    ], class_="scale-bar"))

    # Legend below the scale bar, left to right, wrapping onto further rows when narrow (the
    # picture then grows taller than asked).
    items = [("dot", GROUP_COLOURS["basic"], "基本保障类网点"), ("dot", GROUP_COLOURS["quality"], "品质提升类网点"),
             ("square", WHITE, "社区代表点")]
    if highlight:
        items.insert(0, ("dot", HIGHLIGHT, "所关注的业态"))
    if radius_m:
        items.append(("ring", CIRCLE, f"步行 {minutes:g} 分钟（约 {radius_m:.0f} 米）"))
    legend, lx, ly = [], side, top + plot_h + 34
    for kind, colour, words in items:
        room = 14 + text_width(words, SMALL_FONT) + 12
        if lx > side and lx + room > side + plot_w:
            lx, ly = side, ly + 16
        if kind == "dot":
            legend.append(el("circle", {"cx": lx + 5, "cy": ly, "r": 4, "fill": colour}))
        elif kind == "square":
            legend.append(el("rect", {"x": lx + 1, "y": ly - 4, "width": 8, "height": 8, "fill": WHITE,
                                      "stroke": INK, "stroke-width": 1.5}))
        else:
            legend.append(el("circle", {"cx": lx + 5, "cy": ly, "r": 4.5, "fill": "none", "stroke": colour,
                                        "stroke-dasharray": "2 2"}))
        legend.append(text(lx + 14, baseline(ly, SMALL_FONT), words, size=SMALL_FONT, fill=MUTED))
        lx += room
    body.append(group(legend, class_="legend"))
    height = max(height, ly + 12)
    return document(width, height, heading(title) or "网点分布图", body, responsive=responsive, cls="chart map")
