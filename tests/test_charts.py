"""Server-side SVG charts: well-formed, escaped, deterministic, and the geometry checked by hand.

Layout at the default width 700 (see surveyapp/charts/bars.py): labels in x 0–150, the plot of
rate_bars in x 150–650 (500 wide), ranking_bars 150–580 (430), distribution_bars 150–640 (490).
"""
import math
import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from surveyapp.charts import (display_width, distribution_bars, importance_performance_grid, paired_rate_bars,
                              percent, ranking_bars, rate_bars, sample_progress, truncate)
from surveyapp.charts.grid import quadrant
from surveyapp.charts.svg import clean_text, el, fmt, text_width

NS = "{http://www.w3.org/2000/svg}"
PROPS = settings(database=None, deadline=None, max_examples=150)

LIKERT = [(5, "非常满意"), (4, "满意"), (3, "一般"), (2, "不满意"), (1, "非常不满意"), (9, "不清楚")]
HOSTILE = [
    "<script>alert(1)</script>",
    '" onload="alert(1)',
    "a & b < c > d",
    "url(javascript:alert(1))",
    "<image href='http://evil.example/x.png'/>",
    "]]><foreignObject>",
    "&amp; &#60; &lt;",
]


def parse(svg):
    assert isinstance(svg, Markup)
    return ET.fromstring(str(svg))


def tag(node):
    return node.tag.replace(NS, "")


def by_class(root, cls):
    return [n for n in root.iter() if cls in (n.get("class") or "").split()]


def segs(root, cls):
    """The straight segments drawn by elements of class ``cls``: ``<line>``s, and ``<path>``s made
    of ``M x1 y1 L x2 y2`` pieces, each as a mapping with x1, y1, x2, y2 (like a line's attributes)."""
    out = []
    for node in by_class(root, cls):
        if tag(node) == "line":
            out.append({k: node.get(k) for k in ("x1", "y1", "x2", "y2")})
            continue
        assert tag(node) == "path" and node.get("fill") == "none"
        found = re.findall(r"M(\S+) (\S+) L(\S+) (\S+)", node.get("d"))
        assert " ".join(f"M{a} {b} L{c} {d}" for a, b, c, d in found) == node.get("d")
        out += [dict(zip(("x1", "y1", "x2", "y2"), piece)) for piece in found]
    return out


def texts(root):
    """All character data of <text> and <title> elements."""
    return [n.text for n in root.iter() if tag(n) in ("text", "title") and n.text is not None]


def num(node, attr):
    return float(node.get(attr))


def rate_item(label, rate, low=None, high=None, note=None):
    return {"label": label, "rate": rate, "ci_low": low, "ci_high": high, "note": note}


def all_charts(label="便利店"):
    """One of each chart, with ``label`` used wherever text from outside can appear."""
    return [
        rate_bars([rate_item(label, 0.5, 0.45, 0.55), rate_item("服务满意", None, note=label)], title=label),
        sample_progress(612, 600, advisory=700, title=label),
        distribution_bars([{"label": label, "counts": {5: 10, 4: 20, 9: 1}}],
                          categories=[(5, label), (4, "满意"), (9, "不清楚")], title=label),
        importance_performance_grid([{"label": label, "importance": 0.5, "performance": 0.9},
                                     {"label": "早餐", "importance": 0.7, "performance": 0.8}],
                                    x_label=label, y_label=label, title=label),
        ranking_bars([{"label": label, "share": 0.345, "ci_low": 0.31, "ci_high": 0.38, "count": 207}],
                     title=label),
        paired_rate_bars([{"label": label, "values": [rate_item(label, 0.5, 0.45, 0.55),
                                                      rate_item(label, None, note=label)]}],
                         series=[label, "服务满意"], title=label),
    ]


# --- every chart ------------------------------------------------------------------------------

FORBIDDEN_TAGS = {"script", "image", "foreignObject", "style", "use", "a", "iframe", "object", "embed"}


def check_safe_document(root):
    assert tag(root) == "svg"
    assert root.get("role") == "img"
    assert tag(root[0]) == "title" and root[0].text
    assert root.get("viewBox").startswith("0 0 ")
    assert "Noto Sans CJK SC" in root.get("font-family")
    for node in root.iter():
        assert tag(node) not in FORBIDDEN_TAGS
        assert node.tag.startswith(NS)
        for name, value in node.attrib.items():
            assert "href" not in name
            assert "javascript:" not in value.lower()
            assert "url(" not in value.lower()
            assert not name.lower().startswith("on")


def test_every_chart_is_well_formed_accessible_and_self_contained():
    for svg in all_charts():
        check_safe_document(parse(svg))


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_labels_come_out_as_text_only(hostile):
    for svg in all_charts(hostile):
        root = parse(svg)
        check_safe_document(root)
        # the original string is recoverable from a text node (a <title> holds it when truncated)
        assert hostile in texts(root), (hostile, str(svg)[:400])
        assert "<script" not in str(svg)
        assert "<image" not in str(svg)


def test_short_hostile_label_is_the_text_of_the_label_itself():
    root = parse(rate_bars([rate_item('<b>"&\'', 0.9)]))
    (lab,) = by_class(root, "chart-label")
    assert tag(lab) == "text" and lab.text == '<b>"&\'' and len(lab) == 0


def test_xml_illegal_characters_are_dropped():
    svg = rate_bars([rate_item("便利\x00店\x1b\ufffe", 0.9)], title="a\x0bb")
    root = parse(svg)
    assert by_class(root, "chart-label")[0].text == "便利店"
    assert clean_text("a\nb\tc") == "a b c"


def test_output_is_deterministic():
    first = [str(s) for s in all_charts()]
    second = [str(s) for s in all_charts()]
    assert first == second
    items = [rate_item("a", 1 / 3, 0.3, 0.37)]
    assert rate_bars(items) == rate_bars(list(items))
    assert 'width="166.7"' in str(rate_bars(items))   # 500/3, one fixed decimal


def test_responsive_width():
    root = parse(rate_bars([rate_item("a", 0.5)], responsive=True))
    assert root.get("width") == "100%" and root.get("height") is None
    root = parse(rate_bars([rate_item("a", 0.5)]))
    assert root.get("width") == "700" and float(root.get("height")) > 0


@pytest.mark.parametrize("svg, message", [
    (rate_bars([]), "无数据"),
    (ranking_bars([]), "无数据"),
    (distribution_bars([], categories=LIKERT), "无数据"),
    (importance_performance_grid([]), "数据不足"),
    (importance_performance_grid([{"label": "x", "importance": None, "performance": 0.9},
                                  {"label": "y", "importance": 0.3, "performance": float("nan")}]), "数据不足"),
])
def test_empty_inputs(svg, message):
    root = parse(svg)
    check_safe_document(root)
    assert message in texts(root)
    assert not by_class(root, "chart-bar") and not by_class(root, "chart-point")


# --- the builder ------------------------------------------------------------------------------

def test_builder_escapes_attributes_and_children():
    out = el("text", {"x": 1.25, "data_note": '"><script>'}, "<b>")
    assert str(out) == '<text x="1.2" data-note="&#34;&gt;&lt;script&gt;">&lt;b&gt;</text>'
    assert fmt(-0.04) == "0.0" and fmt(3) == "3" and fmt(2.0) == "2.0"
    with pytest.raises(ValueError):
        el("text", {"x": float("nan")})
    with pytest.raises(ValueError):
        el("text", {'x" onload="': 1})


# --- percentages and truncation ---------------------------------------------------------------

@pytest.mark.parametrize("value, shown", [
    (0.9, "90.0%"), (0.8, "80.0%"), (0.0, "0.0%"), (1.0, "100.0%"), (0.913, "91.3%"),
    (0.91255, "91.3%"), (0.91249, "91.2%"), (612 / 600, "102.0%"), (599 / 600, "99.8%"), (0.0005, "0.1%"),
])
def test_percent(value, shown):
    assert percent(value) == shown


def test_percent_never_claims_a_missed_threshold():
    assert percent(0.89996) == "90.0%"
    assert percent(0.89996, below=0.9) == "89.9%"
    assert percent(0.8996, below=0.9) == "89.9%"
    assert percent(0.8994, below=0.9) == "89.9%"
    assert percent(0.9, below=0.9) == "90.0%"          # at the threshold: reached, no change
    assert percent(0.95, 0) == "95%"


def test_display_width_and_truncate():
    assert display_width("abc") == 3
    assert display_width("便利店") == 6
    assert display_width("24h便利店") == 9
    assert display_width("（n=1）") == 7
    long = "社区居民对便利店商品种类和价格的满意程度"        # 20 CJK characters = 40 columns
    cut = truncate(long, 22)
    assert cut == "社区居民对便利店商品…"                      # 10 characters + ellipsis (2 columns)
    assert display_width(cut) <= 22
    assert truncate("便利店", 6) == "便利店"
    assert truncate("便利店", 5) == "便…"
    assert truncate("convenience store", 10) == "convenie…"
    assert truncate("  短  ", 10) == "短"


@given(st.text(max_size=60), st.integers(min_value=0, max_value=40))
@PROPS
def test_truncate_property(s, cols):
    cut = truncate(s, cols)
    assert display_width(cut) <= cols
    if display_width(clean_text(s).strip()) <= cols:
        assert cut == clean_text(s).strip()


def test_long_cjk_label_is_truncated_in_the_chart_with_full_text_kept():
    long = "社区居民对便利店商品种类和价格的满意程度"
    root = parse(rate_bars([rate_item(long, 0.9)]))
    (lab,) = by_class(root, "chart-label")
    assert lab.text.endswith("…") and len(lab.text) < len(long)
    assert long.startswith(lab.text[:-1])
    # 150-unit label column: (150 - 8 - 6) / (0.55 * 12) = 20 columns
    assert display_width(lab.text) <= 20
    assert long in texts(root)   # the full label as a tooltip <title>


# --- 1. rate_bars -----------------------------------------------------------------------------

def test_rate_bar_geometry_by_hand():
    root = parse(rate_bars([rate_item("业态满意", 0.5, 0.45, 0.55), rate_item("服务满意", 0.913, 0.89, 0.93)]))
    bars = by_class(root, "chart-bar")
    assert len(bars) == 2
    # plot area 150..650 is 500 wide: 0.5 → 250, 0.913 → 456.5
    assert [num(b, "x") for b in bars] == [150.0, 150.0]
    assert [num(b, "width") for b in bars] == [250.0, 456.5]
    assert [num(b, "height") for b in bars] == [14.0, 14.0]
    # rows 26 apart
    assert num(bars[1], "y") - num(bars[0], "y") == 26.0
    whiskers = segs(root, "chart-ci")
    assert [(num(w, "x1"), num(w, "x2")) for w in whiskers] == [(375.0, 425.0), (595.0, 615.0)]
    # each whisker sits on its bar's centre line
    for w, b in zip(whiskers, bars):
        assert num(w, "y1") == num(b, "y") + 7
    # end caps 10 high at both ends of each whisker
    caps = [(num(c, "x1"), num(c, "y2") - num(c, "y1")) for c in segs(root, "chart-ci-cap")]
    assert caps == [(375.0, 10.0), (425.0, 10.0), (595.0, 10.0), (615.0, 10.0)]
    assert [t.text for t in by_class(root, "chart-value")] == ["50.0%", "91.3%"]


def test_rate_bars_thresholds_and_gridlines():
    root = parse(rate_bars([rate_item("a", 0.85)]))
    lines = by_class(root, "chart-threshold")
    assert [num(ln, "x1") for ln in lines] == [550.0, 600.0]       # 150 + 0.8*500, 150 + 0.9*500
    assert all(ln.get("x1") == ln.get("x2") and ln.get("stroke-dasharray") for ln in lines)
    assert [t.text for t in by_class(root, "chart-threshold-label")] == ["80%", "90%"]
    grid = segs(root, "chart-grid")
    assert sorted(num(g, "x1") for g in grid) == [150.0 + 50 * i for i in range(11)]
    assert all(g["x1"] == g["x2"] for g in grid)
    (axis,) = segs(root, "chart-axis")                # the 0% line, darker than the gridlines
    assert num(axis, "x1") == 150.0
    assert [t.text for t in by_class(root, "chart-tick")] == [f"{10 * i}%" for i in range(11)]
    none = parse(rate_bars([rate_item("a", 0.85)], thresholds=()))
    assert not by_class(none, "chart-threshold")


def test_rate_text_exact_and_threshold_guard():
    root = parse(rate_bars([rate_item("a", 0.9), rate_item("b", 0.89996), rate_item("c", 0.79999)]))
    assert [t.text for t in by_class(root, "chart-value")] == ["90.0%", "89.9%", "79.9%"]


def test_rate_bars_none_rate_shows_note_instead_of_bar():
    root = parse(rate_bars([rate_item("养老", None, note="样本不足5人，不显示"), rate_item("托育", None),
                            rate_item("便利店", float("nan")), rate_item("早餐", 0.92, 0.9, 0.94)]))
    assert len(by_class(root, "chart-bar")) == 1
    assert [t.text for t in by_class(root, "chart-note")] == ["样本不足5人，不显示", "—", "—"]
    assert [t.text for t in by_class(root, "chart-value")] == ["92.0%"]
    assert len(segs(root, "chart-ci")) == 1


def test_paired_rate_bars_one_bar_per_indicator_in_each_group():
    rows = [{"label": "18–29岁", "values": [rate_item("", 0.5, 0.45, 0.55), rate_item("", 0.913, 0.89, 0.93)]},
            {"label": "70岁及以上", "values": [rate_item("", None, note="少于5人，不显示"), rate_item("", 0.8)]},
            {"label": "新分组", "values": [rate_item("", 0.6)]}]             # no second value: "—"
    root = parse(paired_rate_bars(rows, series=["业态满意", "服务满意"]))
    check_safe_document(root)
    bars = by_class(root, "chart-bar")
    # plot area 150..650 as in rate_bars: 0.5 → 250, 0.913 → 456.5; series colours by position
    assert [num(b, "width") for b in bars] == [250.0, 456.5, 400.0, 300.0]
    assert [b.get("fill") for b in bars] == ["#a4262c", "#a9bccf", "#a9bccf", "#a4262c"]
    assert all(num(b, "x") == 150.0 and num(b, "height") == 11.0 for b in bars)
    # the two bars of a group 14 apart, groups 35 apart (two bars, a gap of 3, 10 of padding)
    assert num(bars[1], "y") - num(bars[0], "y") == 14.0
    assert num(bars[3], "y") - num(bars[0], "y") == 70.0
    assert [t.text for t in by_class(root, "chart-label")] == ["18–29岁", "70岁及以上", "新分组"]
    assert [t.text for t in by_class(root, "chart-value")] == ["50.0%", "91.3%", "80.0%", "60.0%"]
    assert [t.text for t in by_class(root, "chart-note")] == ["少于5人，不显示", "—"]
    whiskers = segs(root, "chart-ci")
    assert [(num(w, "x1"), num(w, "x2")) for w in whiskers] == [(375.0, 425.0), (595.0, 615.0)]
    for w, b in zip(whiskers, bars):
        assert num(w, "y1") == num(b, "y") + 5.5                # on its bar's centre line
    assert [t.text for t in by_class(root, "chart-legend")] == ["业态满意", "服务满意"]
    assert [t.text for t in by_class(root, "chart-threshold-label")] == ["80%", "90%"]
    assert [t.text for t in by_class(root, "chart-tick")] == [f"{10 * i}%" for i in range(11)]
    empty = parse(paired_rate_bars([], series=["业态满意"]))
    assert "无数据" in texts(empty)


def test_rate_bars_clamps_and_tolerates_partial_intervals():
    root = parse(rate_bars([rate_item("a", 1.2, None, 0.9), rate_item("b", -0.1, 0.2, 0.1)]))
    bars = by_class(root, "chart-bar")
    assert [num(b, "width") for b in bars] == [500.0, 0.0]
    (w,) = segs(root, "chart-ci")                 # only the complete interval, reordered
    assert (num(w, "x1"), num(w, "x2")) == (200.0, 250.0)


def test_rate_bars_other_width_scales_the_plot():
    root = parse(rate_bars([rate_item("a", 0.5)], width=400))
    # label column = 30% of 400 = 120, value column 50: plot 120..350 (230 wide)
    (bar,) = by_class(root, "chart-bar")
    assert num(bar, "x") == 120.0 and num(bar, "width") == 115.0
    assert root.get("viewBox").startswith("0 0 400 ")


@given(st.lists(st.one_of(st.none(), st.floats(min_value=0, max_value=1)), max_size=25))
@PROPS
def test_rate_bars_property(rates):
    items = [rate_item(f"项目{i}", r, None if r is None else max(0.0, r - 0.05),
                       None if r is None else min(1.0, r + 0.05)) for i, r in enumerate(rates)]
    root = parse(rate_bars(items))
    bars = by_class(root, "chart-bar")
    assert len(bars) == sum(r is not None for r in rates)
    for bar, r in zip(bars, [r for r in rates if r is not None]):
        x, w = num(bar, "x"), num(bar, "width")
        assert x == 150.0 and 0.0 <= w <= 500.0
        assert abs(w - r * 500) <= 0.05 + 1e-9
    for w in segs(root, "chart-ci"):
        assert 150.0 <= num(w, "x1") <= num(w, "x2") <= 650.0
    for v in by_class(root, "chart-value"):
        assert v.text.endswith("%") and "." in v.text


@given(st.text(max_size=40))
@PROPS
def test_any_label_is_well_formed_and_recoverable(label):
    for svg in all_charts(label or "x"):
        root = parse(svg)
        check_safe_document(root)
        expected = clean_text(label or "x").strip()
        if expected:
            assert any(t.strip() == expected for t in texts(root))


# --- 2. sample_progress -----------------------------------------------------------------------

def test_sample_progress_met():
    root = parse(sample_progress(612, 600))
    (cap,) = by_class(root, "chart-caption")
    assert cap.text == "有效 612 / 要求 600（102.0%）"
    (bar,) = by_class(root, "chart-bar")
    assert bar.get("fill") == "#2e7d32"                      # green
    assert num(bar, "width") == 676.0                        # valid is the largest: full track 12..688
    (req,) = by_class(root, "chart-required")
    assert num(req, "x1") == round(12 + 600 / 612 * 676, 1)
    assert "已达到" in by_class(root, "chart-status")[0].text


def test_sample_progress_unmet():
    root = parse(sample_progress(599, 600))
    assert by_class(root, "chart-caption")[0].text == "有效 599 / 要求 600（99.8%）"
    (bar,) = by_class(root, "chart-bar")
    assert bar.get("fill") == "#d08c00"                      # amber
    assert num(bar, "width") == round(599 / 600 * 676, 1)
    assert by_class(root, "chart-status")[0].text == "未达到样本量要求，尚差 1 份"
    # unmet never reads 100.0%
    assert "（99.9%）" in by_class(parse(sample_progress(5999, 6000)), "chart-caption")[0].text


def test_sample_progress_advisory_marker():
    root = parse(sample_progress(300, 600, advisory=700))
    (adv,) = by_class(root, "chart-advisory")
    assert num(adv, "x1") == 688.0                           # the advisory size sets the scale
    assert by_class(root, "chart-advisory-label")[0].text == "建议 700"
    (req,) = by_class(root, "chart-required")
    assert num(req, "x1") == round(12 + 600 / 700 * 676, 1)
    assert num(by_class(root, "chart-bar")[0], "width") == round(300 / 700 * 676, 1)
    assert not by_class(parse(sample_progress(300, 600)), "chart-advisory")


def test_sample_progress_edge_cases():
    root = parse(sample_progress(0, 0))
    assert by_class(root, "chart-caption")[0].text == "有效 0 / 要求 0"
    root = parse(sample_progress(0, 150))
    assert by_class(root, "chart-caption")[0].text == "有效 0 / 要求 150（0.0%）"
    assert num(by_class(root, "chart-bar")[0], "width") == 0.0


# --- 3. distribution_bars ---------------------------------------------------------------------

def test_distribution_geometry_labels_and_legend():
    items = [{"label": "便利店", "counts": {5: 50, 4: 30, 3: 17, 2: 3, 1: 0, 9: 0}},
             {"label": "菜市场", "counts": {}}]
    root = parse(distribution_bars(items, categories=LIKERT))
    segs = by_class(root, "chart-segment")
    # plot 150..640 = 490 wide: 50% → 245, 30% → 147, 17% → 83.3, 3% → 14.7
    assert [num(s, "width") for s in segs] == [245.0, 147.0, 83.3, 14.7]
    assert [num(s, "x") for s in segs] == [150.0, 395.0, 542.0, 625.3]
    assert num(segs[-1], "x") + num(segs[-1], "width") == pytest.approx(640.0)
    # the 3% segment gets no inside label
    assert [t.text for t in by_class(root, "chart-segment-label")] == ["50%", "30%", "17%"]
    assert [t.text for t in by_class(root, "chart-legend")] == [name for _, name in LIKERT]
    assert "无回答" in [t.text for t in by_class(root, "chart-note")]
    assert [t.text for t in by_class(root, "chart-value")] == ["n=100"]
    assert segs[0][0].text == "非常满意：50人（50.0%）"       # tooltip
    # white text on the dark red segment, dark text on the light ones
    labels = by_class(root, "chart-segment-label")
    assert labels[0].get("fill") == "#ffffff" and labels[2].get("fill") == "#1a1a1a"


def test_distribution_string_keys_colours_and_bad_colours():
    root = parse(distribution_bars([{"label": "a", "counts": {"5": 1, "4": 3}}], categories=[(5, "好"), (4, "较好")],
                                   colors=["#112233", "#445566"]))
    assert [num(s, "width") for s in by_class(root, "chart-segment")] == [122.5, 367.5]
    assert [s.get("fill") for s in by_class(root, "chart-segment")] == ["#112233", "#445566"]
    root = parse(distribution_bars([{"label": "a", "counts": {5: 1, 4: 1}}], categories=[(5, "好"), (4, "较好")],
                                   colors={4: "#000000"}))
    assert by_class(root, "chart-segment")[1].get("fill") == "#000000"
    for bad in (["red"], ["url(javascript:x)"], ['#000000" onload="x']):
        with pytest.raises(ValueError):
            distribution_bars([{"label": "a", "counts": {5: 1}}], categories=[(5, "好")], colors=bad)


@given(st.lists(st.dictionaries(st.sampled_from([5, 4, 3, 2, 1, 9]), st.integers(0, 10_000)), min_size=1,
                max_size=8))
@PROPS
def test_distribution_property(rows):
    root = parse(distribution_bars([{"label": f"r{i}", "counts": c} for i, c in enumerate(rows)],
                                   categories=LIKERT))
    segs = by_class(root, "chart-segment")
    assert len(segs) == sum(1 for c in rows for v in c.values() if v > 0)
    for s in segs:
        assert 150.0 <= num(s, "x") and num(s, "x") + num(s, "width") <= 640.0 + 1e-6
    assert len(by_class(root, "chart-note")) == sum(1 for c in rows if sum(c.values()) == 0)


# --- 4. importance_performance_grid -----------------------------------------------------------

IPA_ITEMS = [
    {"label": "早餐", "importance": 0.7, "performance": 0.80},     # low perf, high importance
    {"label": "维修", "importance": 0.6, "performance": 0.95},     # high, high
    {"label": "菜市场", "importance": 0.3, "performance": 0.85},   # low, low
    {"label": "便利店", "importance": 0.5, "performance": 0.90},   # high perf, low importance
    {"label": "托育", "importance": None, "performance": 0.7},     # skipped
]


def plot_box(root):
    (frame,) = by_class(root, "chart-frame")
    x, y = num(frame, "x"), num(frame, "y")
    return x, y, x + num(frame, "width"), y + num(frame, "height")


def label_box(node, size=11):
    x, y = num(node, "x"), num(node, "y")
    w = text_width(node.text, size)
    x0 = {"start": x, "end": x - w, "middle": x - w / 2}[node.get("text-anchor") or "start"]
    return x0, y - size, x0 + w, y + 2


def test_ipa_quadrants_captions_and_means():
    root = parse(importance_performance_grid(IPA_ITEMS))
    check_safe_document(root)
    points = by_class(root, "chart-point")
    assert len(points) == 4
    keys = [p.get("class").split()[1] for p in points]
    assert keys == ["chart-point-focus", "chart-point-keep", "chart-point-minor", "chart-point-overkill"]
    captions = {n.get("class").split()[1]: n.text for n in by_class(root, "chart-quadrant")}
    assert captions == {"chart-quadrant-focus": "重点改进", "chart-quadrant-keep": "继续保持",
                        "chart-quadrant-minor": "次要改进", "chart-quadrant-overkill": "过度投入"}
    # default splits are the means: performance 0.875, importance 0.525
    vertical, horizontal = by_class(root, "chart-split")
    x0, y0, x1, y1 = plot_box(root)
    xs = [float(p.get("cx")) for p in points]
    # x is linear in performance: the split sits where 0.875 falls between the 0.80 and 0.95 points
    assert num(vertical, "x1") == pytest.approx(xs[0] + (xs[1] - xs[0]) * (0.875 - 0.80) / 0.15, abs=0.15)
    ys = [float(p.get("cy")) for p in points]
    assert num(horizontal, "y1") == pytest.approx(ys[2] + (ys[0] - ys[2]) * (0.525 - 0.3) / 0.4, abs=0.15)
    assert "满意率" in texts(root) and "重要性" in texts(root)
    assert any("87.5%" in t and "（均值）" in t for t in texts(root))


def test_ipa_explicit_splits_and_tie_rule():
    assert quadrant(0.9, 0.5, 0.9, 0.5) == "keep"        # on both lines: high, high
    assert quadrant(0.89, 0.5, 0.9, 0.5) == "focus"
    assert quadrant(0.95, 0.1, 0.9, 0.5) == "overkill"
    assert quadrant(0.5, 0.1, 0.9, 0.5) == "minor"
    root = parse(importance_performance_grid(IPA_ITEMS, x_split=0.9, y_split=0.5))
    keys = [p.get("class").split()[1] for p in by_class(root, "chart-point")]
    assert keys == ["chart-point-focus", "chart-point-keep", "chart-point-minor", "chart-point-keep"]


def test_ipa_labels_stay_inside_the_plot():
    # points in all four corners with long labels
    items = [{"label": "社区居民对便利店商品种类的满意程度" + str(i), "importance": imp, "performance": perf}
             for i, (imp, perf) in enumerate([(0, 0), (0, 1), (1, 0), (1, 1), (0.5, 0.5), (0.5, 0.51)])]
    root = parse(importance_performance_grid(items))
    x0, y0, x1, y1 = plot_box(root)
    labels = by_class(root, "chart-point-label")
    assert len(labels) == 6
    for node in labels:
        bx0, by0, bx1, by1 = label_box(node)
        assert x0 <= bx0 and bx1 <= x1 and y0 <= by0 and by1 <= y1, node.text


@given(st.lists(st.tuples(st.floats(-5, 5), st.floats(0, 1), st.text(min_size=1, max_size=30)), min_size=1,
                max_size=12))
@PROPS
def test_ipa_property(points):
    items = [{"label": lab, "importance": imp, "performance": perf} for imp, perf, lab in points]
    root = parse(importance_performance_grid(items))
    x0, y0, x1, y1 = plot_box(root)
    assert len(by_class(root, "chart-point")) == len(points)
    for p in by_class(root, "chart-point"):
        assert x0 <= num(p, "cx") <= x1 and y0 <= num(p, "cy") <= y1
    for node in by_class(root, "chart-point-label"):
        bx0, by0, bx1, by1 = label_box(node)
        assert x0 <= bx0 + 1e-6 and bx1 <= x1 + 1e-6 and y0 <= by0 + 1e-6 and by1 <= y1 + 1e-6


def test_ipa_single_point_and_non_percent_axis():
    root = parse(importance_performance_grid([{"label": "a", "importance": 2.0, "performance": 3.5}],
                                             x_percent=False, x_label="均分"))
    check_safe_document(root)
    assert len(by_class(root, "chart-point")) == 1
    assert not any(t.endswith("%") for t in (n.text for n in by_class(root, "chart-tick")))


# --- 5. ranking_bars --------------------------------------------------------------------------

def test_ranking_geometry_and_text():
    items = [{"label": "社区食堂", "share": 0.345, "ci_low": 0.31, "ci_high": 0.38, "count": 207},
             {"label": "托育", "share": 0.2, "ci_low": 0.17, "ci_high": 0.23, "count": 120},
             {"label": "书店", "share": None, "ci_low": None, "ci_high": None, "count": 0}]
    root = parse(ranking_bars(items))
    assert [t.text for t in by_class(root, "chart-value")] == ["34.5%（n=207）", "20.0%（n=120）"]
    assert [t.text for t in by_class(root, "chart-label")] == ["社区食堂", "托育", "书店"]
    # axis 0..40% (next 10% above 0.38) over the 430-unit plot 150..580
    bars = by_class(root, "chart-bar")
    assert [num(b, "width") for b in bars] == [round(0.345 / 0.4 * 430, 1), round(0.2 / 0.4 * 430, 1)]
    assert [t.text for t in by_class(root, "chart-tick")] == ["0%", "10%", "20%", "30%", "40%"]
    ci = segs(root, "chart-ci")[0]
    assert (num(ci, "x1"), num(ci, "x2")) == (round(150 + 0.31 / 0.4 * 430, 1), round(150 + 0.38 / 0.4 * 430, 1))


def test_ranking_max_items_and_small_shares():
    items = [{"label": f"业态{i}", "share": 0.2 - i * 0.01, "ci_low": None, "ci_high": None, "count": 20 - i}
             for i in range(20)]
    root = parse(ranking_bars(items, max_items=15))
    assert len(by_class(root, "chart-bar")) == 15
    assert "另有 5 项未显示" in texts(root)
    # largest value 0.2 → axis 0..20% in 5% steps
    assert [t.text for t in by_class(root, "chart-tick")] == ["0%", "5%", "10%", "15%", "20%"]
    assert num(by_class(root, "chart-bar")[0], "width") == 430.0
    assert [t.text for t in by_class(root, "chart-value")][0] == "20.0%（n=20）"


def test_ranking_without_count_and_all_zero():
    root = parse(ranking_bars([{"label": "a", "share": 0.0, "ci_low": 0.0, "ci_high": 0.0, "count": None}]))
    assert [t.text for t in by_class(root, "chart-value")] == ["0.0%"]
    assert [t.text for t in by_class(root, "chart-tick")][-1] == "10%"


@given(st.lists(st.floats(0, 1), min_size=1, max_size=20))
@PROPS
def test_ranking_property(shares):
    items = [{"label": str(i), "share": s, "ci_low": max(0.0, s - 0.03), "ci_high": min(1.0, s + 0.03),
              "count": i} for i, s in enumerate(shares)]
    root = parse(ranking_bars(items))
    for b in by_class(root, "chart-bar"):
        assert num(b, "x") == 150.0 and 0.0 <= num(b, "width") <= 430.0
    assert all(math.isfinite(num(w, "x2")) and num(w, "x2") <= 580.0 for w in segs(root, "chart-ci"))


# --- PDF (WeasyPrint renders inline SVG text) -------------------------------------------------

def test_weasyprint_renders_chart_text(tmp_path):
    import weasyprint
    import pdfplumber
    html = ('<html><head><meta charset="utf-8"></head><body>'
            + str(rate_bars([rate_item("业态满意", 0.913, 0.89, 0.93), rate_item("<script>x</script>", 0.5)]))
            + str(sample_progress(612, 600)) + "</body></html>")
    out = tmp_path / "c.pdf"
    weasyprint.HTML(string=html).write_pdf(out)
    with pdfplumber.open(out) as pdf:
        content = "".join(page.extract_text() or "" for page in pdf.pages)
    assert "91.3%" in content and "<script>x</script>" in content
    assert "业态满意" in content and "102.0%" in content


def test_footnotes_mention_intervals_only_when_drawn():
    with_ci = texts(parse(rate_bars([rate_item("a", 0.5, 0.4, 0.6)])))
    without = texts(parse(rate_bars([rate_item("a", 0.5)])))
    assert "黑色横线：误差范围；虚线：80%、90% 门槛" in with_ci
    assert "虚线：80%、90% 门槛" in without
    assert not by_class(parse(rate_bars([rate_item("a", 0.5)], thresholds=())), "chart-footnote")
