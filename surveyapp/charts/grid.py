"""The importance × performance matrix (GB/T 19038 重要性—满意度矩阵)."""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup

from .svg import (AXIS, GRID, INK, MAIN, MUTED, SMALL_FONT, WHITE, cols_for, document, el, heading,
                  message_chart, percent, segments, text, text_width, truncate, usable)

POINT_FONT = 11
CAPTION_FONT = 12
POINT_R = 4.5
FOCUS_TINT = "#f8e9ea"   # the 重点改进 quadrant, faintly tinted

# (key, caption, high performance?, high importance?)
QUADRANTS = (
    ("focus", "重点改进", False, True),
    ("keep", "继续保持", True, True),
    ("minor", "次要改进", False, False),
    ("overkill", "过度投入", True, False),
)


def quadrant(performance: float, importance: float, x_split: float, y_split: float) -> str:
    """Quadrant key of a point; a point on a split line counts as high (as in analysis.drivers)."""
    high_perf, high_imp = performance >= x_split, importance >= y_split
    for key, _, hp, hi in QUADRANTS:
        if hp == high_perf and hi == high_imp:
            return key
    raise AssertionError("unreachable")


def _get(item: Any, key: str) -> Any:
    return item.get(key) if isinstance(item, Mapping) else getattr(item, key, None)


def _range(values: Sequence[float]) -> tuple[float, float]:
    lo, hi = min(values), max(values)
    span = hi - lo
    if span > 1e-6 * max(1.0, abs(lo), abs(hi)):
        pad = span * 0.12
    else:  # one value (or nearly): a fixed window around it
        pad = max(abs(lo) * 0.1, 0.05)
    return lo - pad, hi + pad


def _ticks(lo: float, hi: float, target: int = 5) -> tuple[list[float], float]:
    """'Nice' tick values (1, 2, 2.5, 5 × 10^k steps) inside [lo, hi], and the step."""
    raw = (hi - lo) / target
    mag = 10 ** math.floor(math.log10(raw))
    # the nice step nearest to the raw one (on a log scale), so there are about ``target`` ticks
    step = min((m * mag for m in (1, 2, 2.5, 5, 10)), key=lambda s: abs(math.log(s / raw)))
    first = math.ceil(round(lo / step, 9))
    last = math.floor(round(hi / step, 9))
    return [k * step for k in range(first, last + 1)], step


def _decimals(step: float) -> int:
    d = 0
    while d < 6 and abs(round(step, d) - step) > step * 1e-6:
        d += 1
    return d


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def importance_performance_grid(items: Sequence[Mapping[str, Any]], *, x_label: str = "满意率",
                                y_label: str = "重要性", x_split: float | None = None,
                                y_split: float | None = None, width: int = 600, height: int = 420,
                                x_percent: bool = True, title: str | None = None,
                                responsive: bool = False) -> Markup:
    """A scatter of ``{"label", "importance", "performance"}`` in four quadrants.

    Performance (x) against importance (y), split at ``x_split`` / ``y_split`` (default: the means
    of the plotted points). Quadrants: 重点改进 (low performance, high importance, tinted), 继续保持,
    次要改进, 过度投入. Points without both values are skipped; none left → a "数据不足" chart.
    ``x_percent``: label the x axis in percent (performance is a rate in [0, 1]).
    Point labels are placed right, left, above or below their point, whichever first stays inside
    the plot and clear of other labels, points and the quadrant captions.
    """
    title = heading(title)
    svg_title = title or f"{y_label}—{x_label}矩阵"
    points = []
    for item in items or ():
        perf, imp = usable(_get(item, "performance")), usable(_get(item, "importance"))
        if perf is not None and imp is not None:
            points.append((str(_get(item, "label") or _get(item, "name") or ""), perf, imp))
    if not points:
        return message_chart(width, title, "数据不足", responsive=responsive, cls="chart chart-ipa")

    xs = usable(x_split)
    ys = usable(y_split)
    if xs is None:
        xs = sum(p[1] for p in points) / len(points)
    if ys is None:
        ys = sum(p[2] for p in points) / len(points)
    x_lo, x_hi = _range([p[1] for p in points] + [xs])
    y_lo, y_hi = _range([p[2] for p in points] + [ys])

    top = 56 if title else 30
    left, right = 58.0, float(width - 16)
    plot_top, plot_bottom = float(top), float(height - 58)
    if plot_bottom - plot_top < 60:
        plot_bottom = plot_top + 60
        height = int(plot_bottom + 58)

    def px(v: float) -> float:
        return left + (v - x_lo) / (x_hi - x_lo) * (right - left)

    def py(v: float) -> float:
        return plot_bottom - (v - y_lo) / (y_hi - y_lo) * (plot_bottom - plot_top)

    x_ticks, x_step = _ticks(x_lo, x_hi)
    y_ticks, y_step = _ticks(y_lo, y_hi)
    x_dec = max(0, _decimals(x_step * 100)) if x_percent else _decimals(x_step)
    y_dec = _decimals(y_step)

    def x_text(v: float) -> str:
        return percent(v, x_dec) if x_percent else f"{v:.{x_dec}f}"

    def y_text(v: float) -> str:
        return f"{v:.{y_dec}f}"

    def x_exact(v: float) -> str:
        return percent(v) if x_percent else f"{v:.{max(x_dec + 1, 2)}f}"

    def y_exact(v: float) -> str:
        return f"{v:.{max(y_dec + 1, 2)}f}"

    body: list[Markup] = []
    if title:
        body.append(text(12, 22, title, size=14, weight="bold", cls="chart-title"))
    sx, sy = px(xs), py(ys)
    # Tint the 重点改进 quadrant (left of the x split, above the y split).
    body.append(el("rect", {"class": "chart-quadrant-focus", "x": left, "y": plot_top, "width": sx - left,
                            "height": sy - plot_top, "fill": FOCUS_TINT}))
    # Gridlines as one path (every line one element would cost as much to draw as its tick label).
    body.append(segments([(px(v), plot_top, px(v), plot_bottom) for v in x_ticks]
                         + [(left, py(v), right, py(v)) for v in y_ticks],
                         cls="chart-grid", stroke=GRID, stroke_width=0.5))
    for v in x_ticks:
        body.append(text(px(v), plot_bottom + 14, x_text(v), size=SMALL_FONT, fill=MUTED, anchor="middle",
                         cls="chart-tick"))
    for v in y_ticks:
        body.append(text(left - 5, py(v) + 0.35 * SMALL_FONT, y_text(v), size=SMALL_FONT, fill=MUTED,
                         anchor="end", cls="chart-tick"))
    body.append(el("rect", {"class": "chart-frame", "x": left, "y": plot_top, "width": right - left,
                            "height": plot_bottom - plot_top, "fill": "none", "stroke": AXIS,
                            "stroke-width": 1}))
    body.append(el("line", {"class": "chart-split", "x1": sx, "y1": plot_top, "x2": sx, "y2": plot_bottom,
                            "stroke": MUTED, "stroke-width": 1, "stroke-dasharray": "5 3"}))
    body.append(el("line", {"class": "chart-split", "x1": left, "y1": sy, "x2": right, "y2": sy,
                            "stroke": MUTED, "stroke-width": 1, "stroke-dasharray": "5 3"}))

    # Quadrant captions in the plot corners; their boxes are kept free of point labels.
    occupied: list[tuple[float, float, float, float]] = []
    cap_w = {name: text_width(name, CAPTION_FONT) for _, name, _, _ in QUADRANTS}
    for key, name, high_perf, high_imp in QUADRANTS:
        x = right - 6 if high_perf else left + 6
        y = plot_top + 16 if high_imp else plot_bottom - 7
        anchor = "end" if high_perf else "start"
        x0 = x - cap_w[name] if high_perf else x
        occupied.append((x0 - 2, y - CAPTION_FONT - 1, x0 + cap_w[name] + 2, y + 4))
        body.append(text(x, y, name, size=CAPTION_FONT, fill=MAIN if key == "focus" else MUTED,
                         anchor=anchor, weight="bold", cls=f"chart-quadrant chart-quadrant-{key}"))

    placed = [(lab, perf, imp, px(perf), py(imp)) for lab, perf, imp in points]
    for _, _, _, cx, cy in placed:
        occupied.append((cx - POINT_R - 1, cy - POINT_R - 1, cx + POINT_R + 1, cy + POINT_R + 1))

    max_cols = min(16, cols_for(right - left - 8, POINT_FONT))
    labels: list[Markup] = []
    dots: list[Markup] = []
    for i, (lab, perf, imp, cx, cy) in enumerate(placed):
        key = quadrant(perf, imp, xs, ys)
        shown = truncate(lab, max_cols)
        w = text_width(shown, POINT_FONT)
        h = POINT_FONT
        gap = POINT_R + 3
        # (anchor, text x, baseline y, box)
        candidates = []
        for anchor, tx, ty in (("start", cx + gap, cy + 0.35 * h), ("end", cx - gap, cy + 0.35 * h),
                               ("middle", cx, cy - gap - 1), ("middle", cx, cy + gap + h)):
            x0 = tx if anchor == "start" else tx - w if anchor == "end" else tx - w / 2
            candidates.append((anchor, tx, ty, (x0, ty - h, x0 + w, ty + 2)))
        own = (cx - POINT_R - 1, cy - POINT_R - 1, cx + POINT_R + 1, cy + POINT_R + 1)
        others = [b for b in occupied if b != own]

        def inside(box: tuple[float, float, float, float]) -> bool:
            return box[0] >= left + 2 and box[2] <= right - 2 and box[1] >= plot_top + 2 and box[3] <= plot_bottom - 2

        def cost(box: tuple[float, float, float, float]) -> float:
            return sum(_overlap(box, b) for b in others)

        fitting = [c for c in candidates if inside(c[3])]
        if fitting:
            best = min(fitting, key=lambda c: cost(c[3]))  # min is stable: the first of equal costs
            anchor, tx, ty, box = best
        else:
            # No side fits (a point in a corner with a long label): start at the point and shift the
            # label back inside the plot.
            x0 = min(max(cx - w / 2, left + 2), right - 2 - w)
            ty = min(max(cy - gap - 1, plot_top + 2 + h), plot_bottom - 4)
            anchor, tx, box = "start", x0, (x0, ty - h, x0 + w, ty + 2)
        occupied.append(box)
        dot = el("circle", {"class": f"chart-point chart-point-{key}", "cx": cx, "cy": cy, "r": POINT_R,
                            "fill": MAIN if key == "focus" else INK, "stroke": WHITE, "stroke-width": 1},
                 el("title", {}, f"{lab}：{x_label} {x_exact(perf)}，{y_label} {y_exact(imp)}"))
        dots.append(dot)
        labels.append(text(tx, ty, shown, size=POINT_FONT, fill=INK, anchor=anchor, cls="chart-point-label"))
    body += dots + labels

    body.append(text((left + right) / 2, plot_bottom + 30, x_label, anchor="middle", fill=INK,
                     cls="chart-axis-label"))
    body.append(text(left, plot_top - 8, y_label, anchor="start", fill=INK, cls="chart-axis-label"))
    foot = f"虚线为分界：{x_label} {x_exact(xs)}，{y_label} {y_exact(ys)}"
    if x_split is None and y_split is None:
        foot += "（均值）"
    body.append(text(left, plot_bottom + 48, foot, size=SMALL_FONT, fill=MUTED, cls="chart-footnote"))
    return document(width, height, svg_title, body, responsive=responsive, cls="chart chart-ipa")


