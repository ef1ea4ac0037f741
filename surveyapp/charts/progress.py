"""Progress of the sample: valid questionnaires against the required number (the 3% rule)."""
from __future__ import annotations

from markupsafe import Markup

from .svg import (AMBER, AMBER_TEXT, AXIS, GREEN, INK, MUTED, SMALL_FONT, TRACK, clamp, document, el,
                  heading, integer_or_decimal, percent, text, text_width, usable)

MARGIN = 12
BAR_Y = 32
BAR_H = 18
GREEN_TEXT = "#1b5e20"


def _anchor(x: float, label: str, left: float, right: float, size: int) -> str:
    """Keep a marker label inside [left, right]: centred where it fits, else pinned to an edge."""
    half = text_width(label, size) / 2
    if x - half < left:
        return "start"
    if x + half > right:
        return "end"
    return "middle"


def _marker_x(x: float, anchor: str, left: float, right: float) -> float:
    return left if anchor == "start" and x < left else right if anchor == "end" and x > right else x


def sample_progress(valid: int, required: int, *, advisory: int | None = None, width: int = 700,
                    title: str | None = None, responsive: bool = False) -> Markup:
    """A bar of ``valid`` questionnaires against ``required``: "有效 612 / 要求 600（102.0%）".

    Green when ``valid >= required``, amber otherwise. The track runs to the largest of valid,
    required and ``advisory``; a solid marker shows the requirement, a dashed one the advisory size
    ("建议 …") when given. An unmet sample is never shown as 100.0% (5999/6000 → "99.9%").
    """
    title = heading(title)
    v = max(0.0, usable(valid) or 0.0)
    req = max(0.0, usable(required) or 0.0)
    adv = usable(advisory)
    adv = adv if adv is not None and adv > 0 else None
    met = v >= req
    colour, ink = (GREEN, GREEN_TEXT) if met else (AMBER, AMBER_TEXT)
    caption = f"有效 {integer_or_decimal(v)} / 要求 {integer_or_decimal(req)}"
    if req > 0:
        caption += f"（{percent(v / req, below=None if met else 1.0)}）"
    status = "已达到样本量要求" if met else f"未达到样本量要求，尚差 {integer_or_decimal(req - v)} 份"

    left, right = float(MARGIN), float(width - MARGIN)
    plot_w = right - left
    scale = max(v, req, adv or 0.0, 1.0)

    def x_of(n: float) -> float:
        return left + clamp(n / scale, 0.0, 1.0) * plot_w

    top = 24 if title else 0
    body: list[Markup] = []
    if title:
        body.append(text(MARGIN, 20, title, size=14, weight="bold", cls="chart-title"))
    body.append(text(left, top + 20, caption, size=14, weight="bold", fill=ink, cls="chart-caption"))
    body.append(text(right, top + 20, status, size=SMALL_FONT + 1, fill=ink, anchor="end",
                     cls="chart-status"))
    bar_y = top + BAR_Y
    body.append(el("rect", {"class": "chart-track", "x": left, "y": bar_y, "width": plot_w, "height": BAR_H,
                            "fill": TRACK, "stroke": AXIS, "stroke-width": 0.5}))
    body.append(el("rect", {"class": "chart-bar", "x": left, "y": bar_y, "width": x_of(v) - left,
                            "height": BAR_H, "fill": colour}))

    label_y = bar_y + BAR_H + 16
    if req > 0:
        xr = x_of(req)
        body.append(el("line", {"class": "chart-required", "x1": xr, "y1": bar_y - 4, "x2": xr,
                                "y2": bar_y + BAR_H + 4, "stroke": INK, "stroke-width": 2}))
        lab = f"要求 {integer_or_decimal(req)}"
        anchor = _anchor(xr, lab, left, right, SMALL_FONT)
        body.append(text(_marker_x(xr, anchor, left, right), label_y, lab, size=SMALL_FONT, fill=INK,
                         anchor=anchor, cls="chart-required-label"))
    height = label_y + 8
    if adv is not None:
        xa = x_of(adv)
        label_y += 15
        body.append(el("line", {"class": "chart-advisory", "x1": xa, "y1": bar_y - 4, "x2": xa,
                                "y2": label_y - 11, "stroke": MUTED, "stroke-width": 1.5,
                                "stroke-dasharray": "3 2"}))
        lab = f"建议 {integer_or_decimal(adv)}"
        anchor = _anchor(xa, lab, left, right, SMALL_FONT)
        body.append(text(_marker_x(xa, anchor, left, right), label_y, lab, size=SMALL_FONT, fill=MUTED,
                         anchor=anchor, cls="chart-advisory-label"))
        height = label_y + 8
    return document(width, height, title or f"样本进度：{caption}", body, responsive=responsive,
                    cls="chart chart-progress")
