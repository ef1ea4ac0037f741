"""A tiny SVG element builder: escaping, number formatting, text widths, the document wrapper.

Everything a chart draws goes through :func:`el`, which

* takes attribute names only from code (checked against a strict pattern) and escapes every
  attribute value;
* inserts children that are :class:`markupsafe.Markup` (fragments built by ``el`` itself) as they are
  and escapes everything else, so questionnaire or resident text can only ever become character data;
* removes characters that XML 1.0 forbids (NUL, most C0 controls, lone surrogates), which
  ``markupsafe.escape`` leaves alone and which would make the document ill-formed;
* formats numbers with a fixed number of decimals, so the same input gives the same bytes.

No ids (several charts share one HTML page), no ``<style>``, no external references: presentation
attributes only, which both browsers and WeasyPrint understand.
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from markupsafe import Markup, escape

FONT_FAMILY = "'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', sans-serif"

# Palette: restrained, distinguishable in greyscale print.
MAIN = "#a4262c"          # dark red: the main series
MAIN_LIGHT = "#d9868a"
INK = "#1a1a1a"           # text
MUTED = "#595959"         # secondary text, whiskers
GRID = "#d9d9d9"          # gridlines
AXIS = "#8c8c8c"          # axis lines, tracks
TRACK = "#eeeeee"         # background of progress bars
AMBER = "#d08c00"         # thresholds, unmet
AMBER_TEXT = "#8a5a00"    # amber dark enough to read as text
GREEN = "#2e7d32"         # met
WHITE = "#ffffff"

FONT_SIZE = 12
SMALL_FONT = 10
# Estimated advance of one display column, in ems. CJK characters are two columns (1 em in
# practice, estimated as 1.1 em); Latin text averages about 0.55 em per character.
COLUMN_EM = 0.55
ELLIPSIS = "…"

_ATTR_NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9:-]*$")
# Characters XML 1.0 does not allow in a document (tab, LF and CR are allowed but become spaces here).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_WHITESPACE = re.compile(r"[\t\n\r\u2028\u2029]+")


def clean_text(value: object) -> str:
    """``value`` as a single line of XML-safe text (forbidden characters dropped)."""
    text = "" if value is None else str(value)
    return _XML_ILLEGAL.sub("", _WHITESPACE.sub(" ", text))


def heading(value: object) -> str | None:
    """A chart title: cleaned, stripped, None when nothing printable is left."""
    out = clean_text(value).strip() if value is not None else ""
    return out or None


def esc(value: object) -> Markup:
    """Escape ``value`` for use as SVG character data or as a quoted attribute value."""
    return escape(clean_text(value))


def fmt(value: float | int, decimals: int = 1) -> str:
    """A number for an attribute: ints as they are, floats with ``decimals`` fixed decimals."""
    if isinstance(value, bool):
        raise TypeError("booleans are not coordinates")
    if isinstance(value, int):
        return str(value)
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"cannot draw a non-finite number: {value!r}")
    out = f"{value:.{decimals}f}"
    if out.startswith("-") and float(out) == 0:
        out = out[1:]
    return out


def _attr_value(value: object) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return fmt(value)
    return str(esc(value))


def el(tag: str, attrs: Mapping[str, object] | None = None, *children: object) -> Markup:
    """Build one element. ``None`` attribute values are left out; ``_`` in names becomes ``-``."""
    if not _ATTR_NAME.match(tag):
        raise ValueError(f"bad tag name {tag!r}")
    parts = [f"<{tag}"]
    for name, value in (attrs or {}).items():
        if value is None:
            continue
        name = name.rstrip("_").replace("_", "-")
        if not _ATTR_NAME.match(name):
            raise ValueError(f"bad attribute name {name!r}")
        parts.append(f' {name}="{_attr_value(value)}"')
    body = "".join(str(c) if isinstance(c, Markup) else str(esc(c)) for c in children if c is not None)
    if not body:
        return Markup("".join(parts) + "/>")
    return Markup("".join(parts) + ">" + body + f"</{tag}>")


def group(children: Iterable[object], **attrs: object) -> Markup:
    return el("g", attrs, *children)


def segments(pieces: Iterable[tuple[float, float, float, float]], *, cls: str | None = None,
             **attrs: object) -> Markup | None:
    """Straight segments ``(x1, y1, x2, y2)`` drawn with one stroke as a single ``<path>``
    (``M x1 y1 L x2 y2`` per segment); None when there are none.

    Why: every element costs a graphics state, a colour and a stroke in the PDF, and a chart draws
    its gridlines and interval whiskers by the dozen; segments sharing a stroke look the same
    drawn as one path (caps apply to each segment) and cost one element.
    """
    d = " ".join(f"M{fmt(x1)} {fmt(y1)} L{fmt(x2)} {fmt(y2)}" for x1, y1, x2, y2 in pieces)
    if not d:
        return None
    return el("path", {"class": cls, **attrs, "fill": "none", "d": d})


def text(x: float, y: float, content: object, *, size: int = FONT_SIZE, fill: str = INK,
         anchor: str | None = None, weight: str | None = None, cls: str | None = None,
         **attrs: object) -> Markup:
    """A ``<text>`` element whose only content is ``content`` as escaped character data.

    ``y`` is the baseline. ``anchor`` is start (default), middle or end.
    """
    base: dict[str, object] = {"x": x, "y": y, "class": cls, "font-size": size, "fill": fill,
                               "text-anchor": anchor, "font-weight": weight}
    base.update(attrs)
    return el("text", base, clean_text(content))


def baseline(center_y: float, size: int = FONT_SIZE) -> float:
    """The baseline that visually centres text of ``size`` on ``center_y`` (no dominant-baseline:
    WeasyPrint ignores it)."""
    return center_y + 0.35 * size


# --- text width and truncation ---------------------------------------------------------------

def char_columns(ch: str) -> int:
    """Display columns of one character: East Asian wide/fullwidth (and ambiguous, which CJK fonts
    draw wide) count 2, combining marks and controls 0, everything else 1."""
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Cc", "Cf", "Mn", "Me"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F", "A") else 1


def display_width(value: object) -> int:
    """Display columns of a string (CJK = 2, ASCII = 1)."""
    return sum(char_columns(ch) for ch in clean_text(value))


def truncate(value: object, max_cols: int, ellipsis: str = ELLIPSIS) -> str:
    """Shorten ``value`` to at most ``max_cols`` display columns, ending with ``ellipsis`` if cut.

    >>> truncate("便利店商品种类是否齐全", 12)
    '便利店商品…'
    """
    s = clean_text(value).strip()
    if display_width(s) <= max_cols:
        return s
    room = max_cols - display_width(ellipsis)
    if room <= 0:
        return ellipsis if display_width(ellipsis) <= max_cols else ""
    out, used = [], 0
    for ch in s:
        w = char_columns(ch)
        if used + w > room:
            break
        out.append(ch)
        used += w
    return "".join(out).rstrip() + ellipsis


def text_width(value: object, size: int = FONT_SIZE) -> float:
    """Estimated advance width of ``value`` in user units at font size ``size`` (slightly generous)."""
    return display_width(value) * COLUMN_EM * size


def cols_for(width: float, size: int = FONT_SIZE) -> int:
    """How many display columns fit into ``width`` user units at font size ``size``."""
    return max(0, int(width / (COLUMN_EM * size)))


def label(x: float, y: float, value: object, max_cols: int, **kw: object) -> Markup:
    """A text label truncated to ``max_cols``; when truncated, the full text goes into a ``<title>``
    (a tooltip in browsers, ignored by WeasyPrint) around it."""
    full = clean_text(value).strip()
    shown = truncate(full, max_cols)
    node = text(x, y, shown, **kw)  # type: ignore[arg-type]
    if shown == full:
        return node
    return el("g", {}, el("title", {}, full), node)


# --- number formatting for people ------------------------------------------------------------

def _decimal(value: float) -> Decimal:
    # repr gives the shortest string that round-trips, so 0.9 becomes Decimal("0.9"), not 0.899999...
    return Decimal(repr(float(value)))


def percent(fraction: float, decimals: int = 1, *, below: float | None = None) -> str:
    """``fraction`` (0–1) as a percentage, rounded half up: 0.9 → "90.0%", 0.91255 → "91.3%".

    ``below``: a threshold the value is known not to reach. A value just under it that would round
    up to it (0.89996 → "90.0%") is rounded down instead ("89.9%"), so a printed figure never claims
    a threshold the unrounded figure missed.
    """
    q = Decimal(1).scaleb(-decimals)
    value = _decimal(fraction) * 100
    shown = value.quantize(q, rounding=ROUND_HALF_UP)
    if below is not None and fraction < below and shown >= _decimal(below) * 100:
        shown = value.quantize(q, rounding=ROUND_FLOOR)
    if shown == 0:
        shown = abs(shown)
    return f"{shown:.{decimals}f}%"


def integer_or_decimal(value: float) -> str:
    """600 → "600", 600.0 → "600", 612.5 → "612.5" (weighted counts)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    value = float(value)
    if value.is_integer():
        return str(int(value))
    return fmt(value)


def usable(value: object) -> float | None:
    """A finite float, or None for None / NaN / infinities / non-numbers."""
    if value is None or isinstance(value, bool):
        return None
    try:
        f = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


# --- colours ---------------------------------------------------------------------------------

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def check_colour(value: str) -> str:
    """Colours come from code or configuration; accept only ``#rrggbb`` so nothing else leaks into
    a ``fill`` attribute."""
    if not isinstance(value, str) or not _HEX.match(value):
        raise ValueError(f"colour must be #rrggbb, got {value!r}")
    return value.lower()


def luminance(colour: str) -> float:
    """Relative luminance (WCAG) of ``#rrggbb``."""
    colour = check_colour(colour)
    chans = []
    for i in (1, 3, 5):
        c = int(colour[i:i + 2], 16) / 255
        chans.append(c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
    r, g, b = chans
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ink_on(colour: str) -> str:
    """Black or white text, whichever reads better on ``colour``."""
    return WHITE if luminance(colour) < 0.30 else INK


# --- the document ----------------------------------------------------------------------------

def document(width: float, height: float, title: object, body: Iterable[object], *,
             responsive: bool = False, cls: str = "chart") -> Markup:
    """The ``<svg>`` root: viewBox in user units, ``role="img"`` and a ``<title>`` first.

    ``responsive=True`` sets ``width="100%"`` and no height, so the chart scales with its container
    (the viewBox keeps the aspect ratio); otherwise width and height are the user-unit size.
    """
    attrs: dict[str, object] = {
        "xmlns": "http://www.w3.org/2000/svg",
        "viewBox": f"0 0 {fmt(width)} {fmt(height)}",
        "width": "100%" if responsive else width,
        "height": None if responsive else height,
        "role": "img",
        "class": cls,
        "font-family": FONT_FAMILY,
        "font-size": FONT_SIZE,
    }
    return el("svg", attrs, el("title", {}, heading(title) or "图表"),
              el("rect", {"x": 0, "y": 0, "width": width, "height": height, "fill": WHITE}),
              *body)


def message_chart(width: float, title: object, message: object, *, responsive: bool = False,
                  cls: str = "chart", height: float = 80) -> Markup:
    """A chart with nothing to plot: its title and a centred message (e.g. 数据不足)."""
    body: list[object] = []
    y = height / 2
    if title:
        body.append(text(12, 22, title, size=14, weight="bold", cls="chart-title"))
        y = (height + 24) / 2
    body.append(text(width / 2, baseline(y), message, fill=MUTED, anchor="middle", cls="chart-empty"))
    return document(width, height, title or message, body, responsive=responsive, cls=cls)
