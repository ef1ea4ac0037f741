"""Horizontal bar charts: satisfaction rates, demand ranking, answer distributions.

Layout at the default width of 700 user units (tests rely on it):

* label column 0–150 (labels right-aligned at x = 142, truncated to fit);
* plot area x = 150 … 650 for :func:`rate_bars` (500 wide), 150 … 580 for :func:`ranking_bars`
  (value column "34.5%（n=207）" needs 120), 150 … 640 for :func:`distribution_bars`;
* one row per item, ``ROW_HEIGHT`` = 26 high, bars 14 high, centred in the row.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from .svg import (AMBER, AMBER_TEXT, AXIS, FONT_SIZE, GRID, INK, MAIN, MUTED, SMALL_FONT, WHITE, baseline,
                  check_colour, clamp, cols_for, document, el, heading, integer_or_decimal, ink_on, label,
                  message_chart, percent, segments, text, text_width, usable)

ROW_HEIGHT = 26
BAR_HEIGHT = 14
TITLE_HEIGHT = 32
LABEL_GAP = 8
MIN_PLOT = 120

# Default colours for answer categories, by position: two reds for the satisfied side, a light grey
# for the middle, two blue-greys for the dissatisfied side, a near-white for 不清楚. Every colour has
# its own lightness (relative luminance 0.10, 0.34, 0.77, 0.49, 0.18, 0.91), so the categories stay
# apart in greyscale print.
CATEGORY_COLOURS = ("#a4262c", "#d9868a", "#e3e3e3", "#a9bccf", "#5b7a96", "#f5f5f5")


@dataclass(frozen=True)
class Frame:
    """Horizontal geometry of a row chart."""
    width: float
    left: float      # plot area starts here (end of the label column)
    right: float     # plot area ends here (start of the value column)

    @property
    def plot_width(self) -> float:
        return self.right - self.left

    def x(self, fraction: float, scale: float = 1.0) -> float:
        """x of ``fraction`` on an axis from 0 to ``scale``, clamped to the plot area."""
        return self.left + clamp(fraction / scale, 0.0, 1.0) * self.plot_width

    @property
    def label_cols(self) -> int:
        return cols_for(self.left - LABEL_GAP - 6)


def frame(width: float, value_column: float) -> Frame:
    """Label column of 150 (or 30% of a narrow chart), value column on the right."""
    left = float(min(150, round(width * 0.3)))
    right = float(width - value_column)
    if right - left < MIN_PLOT:
        right = left + MIN_PLOT
    return Frame(float(width), left, right)


def _title_block(title: object, y: float = 22) -> list[Markup]:
    return [text(12, y, title, size=14, weight="bold", cls="chart-title")] if title else []


def _x_axis(fr: Frame, top: float, bottom: float, *, scale: float, step_pct: int) -> list[Markup]:
    """Vertical gridlines every ``step_pct`` percent from 0 to ``scale`` (one path; the 0% line,
    the axis, in a darker grey) and their tick labels."""
    top_pct = int(round(scale * 100))
    xs = [(pct, fr.x(pct / 100, scale)) for pct in range(0, top_pct + 1, step_pct)]
    out = [segments([(x, top, x, bottom) for pct, x in xs if pct], cls="chart-grid", stroke=GRID, stroke_width=1),
           segments([(x, top, x, bottom) for pct, x in xs if not pct], cls="chart-grid chart-axis",
                    stroke=AXIS, stroke_width=1)]
    out += [text(x, bottom + 14, f"{pct}%", size=SMALL_FONT, fill=MUTED, anchor="middle", cls="chart-tick")
            for pct, x in xs]
    return [m for m in out if m is not None]


def _whisker(fr: Frame, low: float | None, high: float | None, cy: float,
             scale: float = 1.0) -> tuple[float, float, float] | None:
    """A 95% interval whisker as ``(x1, x2, cy)``, or None without a complete interval."""
    if low is None or high is None:
        return None
    low, high = min(low, high), max(low, high)
    return fr.x(low, scale), fr.x(high, scale), cy


def _whiskers(whiskers: Sequence[tuple[float, float, float]]) -> list[Markup]:
    """All whiskers of a chart, with end caps, in four paths (not five lines per row): a white
    halo underneath keeps each visible on its bar, then the black interval lines and caps."""
    if not whiskers:
        return []
    spans = [(x1, cy, x2, cy) for x1, x2, cy in whiskers]
    caps = [(x, cy - 5, x, cy + 5) for x1, x2, cy in whiskers for x in (x1, x2)]
    return [segments(spans, stroke=WHITE, stroke_width=2.8, stroke_linecap="round"),
            segments(caps, stroke=WHITE, stroke_width=2.8),
            segments(spans, cls="chart-ci", stroke=INK, stroke_width=1.2),
            segments(caps, cls="chart-ci-cap", stroke=INK, stroke_width=1.2)]


def _get(item: Mapping[str, Any], key: str) -> Any:
    return item.get(key) if isinstance(item, Mapping) else getattr(item, key, None)


def _nearest_missed(rate: float, thresholds: Sequence[float]) -> float | None:
    above = [t for t in thresholds if rate < t]
    return min(above) if above else None


# --- 1. satisfaction rates ---------------------------------------------------------------------

def _rate_bar(fr, item, cy: float, height: float, fill: str, thresholds: Sequence[float],
              bars: list, whiskers: list, overlays: list, value_size: int = FONT_SIZE) -> None:
    """One rate's bar (into ``bars``), its interval whisker (into ``whiskers``, drawn over every
    bar) and its printed value right of the plot (into ``overlays``); an item without a rate
    (None, or no number) shows its ``note`` (or "—") in grey instead."""
    rate = usable(_get(item, "rate"))
    if rate is None:
        bars.append(label(fr.left + 6, baseline(cy, SMALL_FONT), _get(item, "note") or "—",
                          cols_for(fr.plot_width - 12, SMALL_FONT), size=SMALL_FONT, fill=MUTED, cls="chart-note"))
        return
    bars.append(el("rect", {"class": "chart-bar", "x": fr.left, "y": cy - height / 2,
                            "width": fr.x(rate) - fr.left, "height": height, "fill": fill}))
    whisker = _whisker(fr, usable(_get(item, "ci_low")), usable(_get(item, "ci_high")), cy)
    if whisker:
        whiskers.append(whisker)
    shown = percent(rate, below=_nearest_missed(rate, thresholds))
    overlays.append(text(fr.right + 6, baseline(cy, value_size), shown, size=value_size, fill=INK,
                         cls="chart-value"))


def _threshold_lines(fr, thresholds: Sequence[float], plot_top: float, plot_bottom: float) -> list[Markup]:
    """The dashed amber line and label of each threshold (80%, 90%)."""
    lines: list[Markup] = []
    for t in sorted(thresholds):
        x = fr.x(t)
        lines.append(el("line", {"class": "chart-threshold", "x1": x, "y1": plot_top - 4, "x2": x,
                                 "y2": plot_bottom, "stroke": AMBER, "stroke-width": 1.5,
                                 "stroke-dasharray": "4 3"}))
        lines.append(text(x, plot_top - 7, percent(t, 0), size=SMALL_FONT, fill=AMBER_TEXT, anchor="middle",
                          weight="bold", cls="chart-threshold-label"))
    return lines


def _rate_notes(whiskers: Sequence, thresholds: Sequence[float]) -> list[str]:
    """The footnote's parts: what the whiskers and the dashed lines mean."""
    notes = ["黑色横线：误差范围"] if whiskers else []
    if thresholds:
        notes.append("虚线：" + "、".join(percent(t, 0) for t in sorted(thresholds)) + " 门槛")
    return notes


def _drawable_thresholds(thresholds: Sequence[float]) -> list[float]:
    """The thresholds a rate chart can draw: numbers, as fractions in [0, 1]."""
    return [t for t in (usable(t) for t in thresholds) if t is not None and 0 <= t <= 1]


def _rate_plot_top(title: str | None) -> float:
    """Where the rows of a rate chart start: below the title, with room for the threshold labels."""
    return (TITLE_HEIGHT if title else 8) + 18


def _rate_plot(fr: Frame, title: str | None, plot_top: float, plot_bottom: float, thresholds: Sequence[float],
               bars: list[Markup], whiskers: list, overlays: list[Markup]) -> list[Markup]:
    """A rate chart's drawing in its order: title, axis, the rows, the threshold lines, the
    whiskers and what sits on top of them (values, notes)."""
    return (_title_block(title) + _x_axis(fr, plot_top, plot_bottom, scale=1.0, step_pct=10) + bars
            + _threshold_lines(fr, thresholds, plot_top, plot_bottom) + _whiskers(whiskers) + overlays)


def _rate_footnote(fr: Frame, y: float, whiskers: Sequence, thresholds: Sequence[float]) -> list[Markup]:
    notes = _rate_notes(whiskers, thresholds)
    if not notes:
        return []
    return [text(fr.left, y, "；".join(notes), size=SMALL_FONT, fill=MUTED, cls="chart-footnote")]


def rate_bars(items: Sequence[Mapping[str, Any]], *, thresholds: Sequence[float] = (0.80, 0.90),
              title: str | None = None, width: int = 700, responsive: bool = False) -> Markup:
    """Satisfaction rates as horizontal bars on a 0–100% axis, with 95% interval whiskers.

    ``items``: ``{"label", "rate", "ci_low", "ci_high", "note"}`` with fractions in [0, 1]. A row
    whose ``rate`` is None (or NaN) shows its ``note`` (or "—") instead of a bar. ``thresholds`` are
    drawn as dashed amber lines and labelled. The rate is printed with one decimal ("91.3%"); a rate
    just under a threshold is never printed as reaching it (0.89996 → "89.9%", not "90.0%").
    """
    title = heading(title)
    items = list(items or ())
    fr = frame(width, 50)
    thresholds = _drawable_thresholds(thresholds)
    svg_title = title or "满意率及误差范围"
    if not items:
        return message_chart(width, title, "无数据", responsive=responsive, cls="chart chart-rates")
    plot_top = _rate_plot_top(title)
    plot_bottom = plot_top + len(items) * ROW_HEIGHT

    bars: list[Markup] = []
    overlays: list[Markup] = []
    whiskers: list[tuple[float, float, float]] = []
    for i, item in enumerate(items):
        cy = plot_top + i * ROW_HEIGHT + ROW_HEIGHT / 2
        bars.append(label(fr.left - LABEL_GAP, baseline(cy), _get(item, "label"), fr.label_cols,
                          anchor="end", cls="chart-label"))
        _rate_bar(fr, item, cy, BAR_HEIGHT, MAIN, thresholds, bars, whiskers, overlays)

    body = _rate_plot(fr, title, plot_top, plot_bottom, thresholds, bars, whiskers, overlays)
    body += _rate_footnote(fr, plot_bottom + 32, whiskers, thresholds)
    height = plot_bottom + 42
    return document(width, height, svg_title, body, responsive=responsive, cls="chart chart-rates")


# --- 1b. several indicators per group ----------------------------------------------------------

#: Fills of the series of :func:`paired_rate_bars`, by position: the main dark red, then a light
#: blue-grey (relative luminance 0.10 and 0.49: apart in greyscale print too).
SERIES_COLOURS = (MAIN, "#a9bccf")
PAIR_BAR_HEIGHT = 11
PAIR_BAR_GAP = 3
PAIR_ROW_PADDING = 10


def paired_rate_bars(rows: Sequence[Mapping[str, Any]], *, series: Sequence[str],
                     thresholds: Sequence[float] = (0.80, 0.90), title: str | None = None, width: int = 700,
                     responsive: bool = False) -> Markup:
    """Satisfaction rates of several indicators side by side for each group (one bar per
    indicator, in the order of ``series``, each with its 95% interval whisker and its value), on
    the same 0–100% axis, thresholds and footnote as :func:`rate_bars`, with a legend.

    Why: the report compares 业态满意 and 服务满意 across the same groups (age bands,
    communities); one chart per grouping shows both at once, where one chart per indicator
    repeated the axis, the group labels and the thresholds.

    ``rows``: ``{"label", "values": [item per series]}``, each item ``{"rate", "ci_low",
    "ci_high", "note"}`` as in :func:`rate_bars` (a None item or rate shows the note or "—").
    """
    title = heading(title)
    rows = list(rows or ())
    names = [str(name) for name in series]
    fr = frame(width, 50)
    thresholds = _drawable_thresholds(thresholds)
    svg_title = title or "各分组满意率及误差范围"
    if not rows or not names:
        return message_chart(width, title, "无数据", responsive=responsive, cls="chart chart-rates-paired")
    fills = [SERIES_COLOURS[i % len(SERIES_COLOURS)] for i in range(len(names))]
    bars_height = len(names) * PAIR_BAR_HEIGHT + (len(names) - 1) * PAIR_BAR_GAP
    row_height = bars_height + PAIR_ROW_PADDING
    plot_top = _rate_plot_top(title)
    plot_bottom = plot_top + len(rows) * row_height

    bars: list[Markup] = []
    overlays: list[Markup] = []
    whiskers: list[tuple[float, float, float]] = []
    for i, row in enumerate(rows):
        row_top = plot_top + i * row_height + PAIR_ROW_PADDING / 2
        bars.append(label(fr.left - LABEL_GAP, baseline(row_top + bars_height / 2), _get(row, "label"),
                          fr.label_cols, anchor="end", cls="chart-label"))
        values = list(_get(row, "values") or ())
        for k, fill in enumerate(fills):
            item = values[k] if k < len(values) else None
            cy = row_top + k * (PAIR_BAR_HEIGHT + PAIR_BAR_GAP) + PAIR_BAR_HEIGHT / 2
            _rate_bar(fr, item, cy, PAIR_BAR_HEIGHT, fill, thresholds, bars, whiskers, overlays,
                      value_size=SMALL_FONT)

    body = _rate_plot(fr, title, plot_top, plot_bottom, thresholds, bars, whiskers, overlays)
    legend, legend_bottom = _legend(list(enumerate(names)), fills, fr.left, plot_bottom + 32, width - 12)
    body += legend
    foot_y = legend_bottom + 8
    body += _rate_footnote(fr, foot_y, whiskers, thresholds)
    return document(width, foot_y + 10, svg_title, body, responsive=responsive, cls="chart chart-rates-paired")


# --- 5. demand ranking -------------------------------------------------------------------------

def _axis_scale(values: Sequence[float]) -> tuple[float, int]:
    """Axis maximum (next 10% above the largest value, at least 10%) and gridline step in percent."""
    top = max(values, default=0.0)
    tenths = math.ceil(round(clamp(top, 0.0, 1.0) * 10, 9))
    scale = clamp(tenths, 1, 10) / 10
    return scale, (5 if scale <= 0.3 else 10)


def ranking_bars(items: Sequence[Mapping[str, Any]], *, width: int = 700, max_items: int = 15,
                 title: str | None = None, responsive: bool = False) -> Markup:
    """The demand ranking: share of residents naming each missing outlet type, in the order given.

    ``items``: ``{"label", "share", "ci_low", "ci_high", "count"}``; shows "34.5%（n=207）". The axis
    runs from 0 to the next 10% above the largest share or interval end. Only the first
    ``max_items`` rows are drawn, with a note saying how many were left out.
    """
    title = heading(title)
    items = list(items or ())
    fr = frame(width, 120)
    svg_title = title or "居民需求业态排名"
    if not items:
        return message_chart(width, title, "无数据", responsive=responsive, cls="chart chart-ranking")
    shown_items = list(items)[:max(0, max_items)]
    hidden = len(items) - len(shown_items)
    values = []
    for item in shown_items:
        for key in ("share", "ci_high"):
            v = usable(_get(item, key))
            if v is not None:
                values.append(v)
    scale, step = _axis_scale(values)
    top = TITLE_HEIGHT if title else 8
    plot_top = top + 6
    plot_bottom = plot_top + max(1, len(shown_items)) * ROW_HEIGHT
    body: list[Markup] = _title_block(title)
    body += _x_axis(fr, plot_top, plot_bottom, scale=scale, step_pct=step)
    bars: list[Markup] = []
    overlays: list[Markup] = []
    whiskers: list[tuple[float, float, float]] = []
    for i, item in enumerate(shown_items):
        cy = plot_top + i * ROW_HEIGHT + ROW_HEIGHT / 2
        bars.append(label(fr.left - LABEL_GAP, baseline(cy), _get(item, "label"), fr.label_cols,
                          anchor="end", cls="chart-label"))
        share = usable(_get(item, "share"))
        if share is None:
            bars.append(text(fr.left + 6, baseline(cy, SMALL_FONT), "—", size=SMALL_FONT, fill=MUTED,
                             cls="chart-note"))
            continue
        bars.append(el("rect", {"class": "chart-bar", "x": fr.left, "y": cy - BAR_HEIGHT / 2,
                                "width": fr.x(share, scale) - fr.left, "height": BAR_HEIGHT, "fill": MAIN}))
        whisker = _whisker(fr, usable(_get(item, "ci_low")), usable(_get(item, "ci_high")), cy, scale)
        if whisker:
            whiskers.append(whisker)
        value = percent(share)
        count = usable(_get(item, "count"))
        if count is not None:
            value += f"（n={integer_or_decimal(count)}）"
        overlays.append(text(fr.right + 6, baseline(cy), value, cls="chart-value"))
    body += bars + _whiskers(whiskers) + overlays
    foot_y = plot_bottom + 32
    if hidden > 0:
        body.append(text(fr.left, foot_y, f"另有 {hidden} 项未显示", size=SMALL_FONT, fill=MUTED,
                         cls="chart-footnote"))
        foot_y += 14
    foot = "提及该业态的受访居民比例"
    if whiskers:
        foot += "；黑色横线：误差范围"
    body.append(text(fr.left, foot_y, foot, size=SMALL_FONT, fill=MUTED, cls="chart-footnote"))
    return document(width, foot_y + 10, svg_title, body, responsive=responsive, cls="chart chart-ranking")


# --- 3. answer distributions -------------------------------------------------------------------

def _colours(categories: Sequence[tuple[Any, str]], colors: Any) -> list[str]:
    if colors is None:
        return [CATEGORY_COLOURS[i % len(CATEGORY_COLOURS)] for i in range(len(categories))]
    if isinstance(colors, Mapping):
        return [check_colour(colors[code]) if code in colors else CATEGORY_COLOURS[i % len(CATEGORY_COLOURS)]
                for i, (code, _) in enumerate(categories)]
    colors = list(colors)
    if not colors:
        raise ValueError("colors must not be empty")
    return [check_colour(colors[i % len(colors)]) for i in range(len(categories))]


def _count(counts: Any, code: Any) -> float:
    """A non-negative count for ``code``; codes from JSON arrive as strings, so try ``str(code)`` too."""
    if not isinstance(counts, Mapping):
        return 0.0
    value = counts.get(code)
    if value is None:
        value = counts.get(str(code))
    v = usable(value)
    return v if v is not None and v > 0 else 0.0


def _legend(categories: Sequence[tuple[Any, str]], fills: Sequence[str], x0: float, y0: float,
            max_x: float) -> tuple[list[Markup], float]:
    """Swatches and labels flowing left to right, wrapping; returns the elements and the y below them."""
    out: list[Markup] = []
    x, y = x0, y0
    for (_, name), fill in zip(categories, fills):
        shown_cols = 16
        w = 14 + min(text_width(name, SMALL_FONT), shown_cols * 0.55 * SMALL_FONT) + 14
        if x > x0 and x + w > max_x:
            x, y = x0, y + 16
        out.append(el("rect", {"class": "chart-swatch", "x": x, "y": y - 9, "width": 10, "height": 10,
                               "fill": fill, "stroke": AXIS, "stroke-width": 0.5}))
        out.append(label(x + 14, y, name, shown_cols, size=SMALL_FONT, fill=INK, cls="chart-legend"))
        x += w
    return out, y + 10


def distribution_bars(items: Sequence[Mapping[str, Any]], *, categories: Sequence[tuple[Any, str]],
                      colors: Sequence[str] | Mapping[Any, str] | None = None, width: int = 700,
                      title: str | None = None, responsive: bool = False) -> Markup:
    """100%-stacked bars of answer counts, one row per item, categories in the order given.

    ``items``: ``{"label", "counts": {code: n}}``; ``categories``: ``[(code, label)]``; ``colors``: a
    list of ``#rrggbb`` by position or a mapping code → colour. Segments of 4% or more carry their
    whole-number percentage; a row with no answers shows "无回答". Counts under codes not in
    ``categories`` are ignored; each segment has a tooltip "label：n人（p%）".
    """
    title = heading(title)
    categories = [(code, str(name)) for code, name in categories]
    items = list(items or ())
    fills = _colours(categories, colors)
    fr = frame(width, 60)
    svg_title = title or "回答分布"
    if not items or not categories:
        return message_chart(width, title, "无数据", responsive=responsive, cls="chart chart-distribution")
    body: list[Markup] = _title_block(title)
    top = TITLE_HEIGHT if title else 8
    legend, legend_bottom = _legend(categories, fills, fr.left, top + 12, width - 12)
    body += legend
    plot_top = legend_bottom + 8
    for i, item in enumerate(items):
        cy = plot_top + i * ROW_HEIGHT + ROW_HEIGHT / 2
        y = cy - BAR_HEIGHT / 2
        body.append(label(fr.left - LABEL_GAP, baseline(cy), _get(item, "label"), fr.label_cols,
                          anchor="end", cls="chart-label"))
        counts = [_count(_get(item, "counts"), code) for code, _ in categories]
        total = sum(counts)
        if total <= 0:
            body.append(text(fr.left + 6, baseline(cy, SMALL_FONT), "无回答", size=SMALL_FONT, fill=MUTED,
                             cls="chart-note"))
            continue
        # Segment edges from cumulative counts, rounded once, so the segments tile the bar exactly.
        edges, cum = [round(fr.left, 1)], 0.0
        for c in counts:
            cum += c
            edges.append(round(fr.left + cum / total * fr.plot_width, 1))
        segs: list[Markup] = []
        for (code, name), fill, c, x0, x1 in zip(categories, fills, counts, edges, edges[1:]):
            if c <= 0:
                continue
            share = c / total
            tip = f"{name}：{integer_or_decimal(c)}人（{percent(share)}）"
            rect = el("rect", {"class": "chart-segment", "x": x0, "y": y, "width": round(x1 - x0, 1),
                               "height": BAR_HEIGHT, "fill": fill, "stroke": WHITE, "stroke-width": 0.5},
                      el("title", {}, tip))
            segs.append(rect)
            inside = percent(share, 0)
            if share >= 0.04 and text_width(inside, SMALL_FONT) <= (x1 - x0) - 2:
                segs.append(text((x0 + x1) / 2, baseline(cy, SMALL_FONT), inside, size=SMALL_FONT,
                                 fill=ink_on(fill), anchor="middle", cls="chart-segment-label"))
        body += segs
        body.append(el("rect", {"x": fr.left, "y": y, "width": fr.plot_width, "height": BAR_HEIGHT,
                                "fill": "none", "stroke": AXIS, "stroke-width": 0.5}))
        body.append(text(fr.right + 6, baseline(cy, SMALL_FONT), f"n={integer_or_decimal(total)}",
                         size=SMALL_FONT, fill=MUTED, cls="chart-value"))
    height = plot_top + len(items) * ROW_HEIGHT + 10
    return document(width, height, svg_title, body, responsive=responsive, cls="chart chart-distribution")
