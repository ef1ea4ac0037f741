"""reports/: the 评价报告, the 汇总表 (PDF and XLSX), the QR poster, and the locked-down renderer.

PDFs are read back with poppler (pdftotext, pdffonts, pdfinfo) and pdfplumber; nothing here
needs Flask or a database.
"""
from __future__ import annotations

import base64
import gc
import io
import json
import re
import shutil
import socket
import subprocess
import threading
from datetime import date
from pathlib import Path

import openpyxl
import pdfplumber
import pytest
from markupsafe import Markup

from reports import (ReportURLFetcher, campaign_report, neutralise, qr_poster, summary_sheet_pdf,
                     summary_sheet_xlsx)
from reports.campaign import report_context, verdict
from reports.rendering import STATIC_DIR, FetchRefused, chart_image, cyclic_collection_paused, render_html

DATA = Path(__file__).parent / "data"
# poppler-utils is installed by `make install`; without it these tests fail, never skip.
assert all(shutil.which(tool) for tool in ("pdftotext", "pdffonts", "pdfinfo")), "install poppler-utils"

CIRCLE = {"name": "示例生活圈", "population": 20000}
FINGERPRINT = "3cb3426440a3e481a57ea381914b956ad2ccdb62fd24816ecf7a1c591065e7da"
OPTIONS = dict(circle=CIRCLE, assessor="某某评价咨询有限公司", report_number="PJ-2026-0001",
               issued_on=date(2026, 12, 28), fingerprint=FINGERPRINT)
HOSTILE = '<img src="http://127.0.0.1:1/x"> url(file:///etc/passwd)'
HOSTILE_STYLE = ('<style>@import url("http://127.0.0.1:1/a.css");</style>'
                 '<link rel="stylesheet" href="http://127.0.0.1:1/b.css">')


def load_summary() -> dict:
    with open(DATA / "demo-summary.json", encoding="utf-8") as f:
        return json.load(f)


def pdf_text(pdf: bytes, tmp_path: Path, *, first: int | None = None, last: int | None = None) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    args = ["pdftotext", "-enc", "UTF-8"]
    if first:
        args += ["-f", str(first)]
    if last:
        args += ["-l", str(last)]
    return subprocess.run(args + [str(path), "-"], check=True, capture_output=True, text=True).stdout


def squash(text: str) -> str:
    """Text without whitespace: pdftotext breaks lines and spaces CJK text its own way."""
    return re.sub(r"\s+", "", text)


def page_count(pdf: bytes, tmp_path: Path) -> int:
    path = tmp_path / "count.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", out, re.M).group(1))


def fonts(pdf: bytes, tmp_path: Path) -> list[dict]:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        parts = line.split()
        # name type... encoding emb sub uni object-id generation
        rows.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return rows


def family(font_name: str) -> str:
    """``ABCDEF+Noto-Sans-CJK-SC-Bold`` → ``Noto-Sans-CJK-SC``."""
    name = font_name.split("+", 1)[-1]
    return re.sub(r"-(Bold|Regular|Medium|Light|Black|DemiLight|Thin)$", "", name)


@pytest.fixture(scope="module")
def demo_report() -> bytes:
    return campaign_report(load_summary(), **OPTIONS, questionnaire_title="一刻钟便民生活圈居民满意度调查",
                           evaluation_round=1)


@pytest.fixture(scope="module")
def demo_text(demo_report, tmp_path_factory) -> str:
    return pdf_text(demo_report, tmp_path_factory.mktemp("demo"))


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a socket fails the test (and is recorded)."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


# --- the campaign report ----------------------------------------------------------------------

def test_report_key_figures_are_text(demo_text):
    text = squash(demo_text)
    assert "示例生活圈" in text
    assert "满意度调查报告" in text and "评价报告" not in text   # a survey report, not an evaluation's
    assert "622" in text                                   # valid questionnaires
    assert "600" in text                                   # required (3% of 20,000)
    assert "85.3%" in text and "88.0%" in text             # the two rates as printed
    assert "82.3%–87.8%" in text and "85.2%–90.3%" in text  # their 95% intervals
    assert text.count("得分10/16分") == 2                  # the points of both indicators
    assert "临界" in text                                   # service satisfaction is borderline
    assert "已达到样本量要求" in text
    assert "某某评价咨询有限公司" in text and "PJ-2026-0001" in text and "2026年12月28日" in text


def test_report_sections_and_method(demo_text):
    text = squash(demo_text)
    for heading in ("目录", "一、结论", "二、结论与建议", "三、各细项满意度", "四、分组比较", "五、影响总体满意的关键因素",
                    "六、居民需求", "附录一调查方法与数据指纹", "附录二术语解释", "附录三各题回答分布", "签发"):
        assert heading in text
    # the technical names appear only beside their plain words (glossary, chart legends, method table)
    for plain, word in (("影响倍数", "优势比"), ("关键因素分析", "逻辑回归"), ("分组差异检验", "卡方检验")):
        assert text.count(word) == 1 and f"{plain}{word}" in text, word
    # chart legends; the glossary and the method table (term and explanation in adjacent cells)
    assert text.count("置信区间") == text.count("误差范围（95%置信区间）") + text.count("误差范围95%置信区间")
    assert "误差范围" in text and "影响倍数" in text and "分组差异检验" in text
    assert "3cb3426440a3e481a57ea381914b956ad2ccdb62fd24816ecf7a1c591065e7da" in text   # questionnaire hash
    assert "2026年11月6日至2026年12月21日" in text                                      # fieldwork, China time
    for label, n in (("未答完必答题", 12), ("不住在本生活圈", 7), ("答题时间过短", 11)):
        assert label in text
    assert "约377份" in text                       # the advisory sample size
    assert "试行" in text                           # rules_trial defaults to True
    # The appendix lists every question with counts and percentages.
    summary = load_summary()
    assert text.count("五级满意度题") >= 1
    assert "和平社区20733.3%" in text               # 207 of 622
    assert len(summary["distributions"]) == 26 and "26.从您家走到最近的便利店或超市" in text


def test_report_page_furniture(demo_report, demo_text, tmp_path):
    pages = page_count(demo_report, tmp_path)
    text = squash(demo_text)
    assert f"第1页/共{pages}页" in text
    assert f"第{pages}页/共{pages}页" in text
    last = squash(pdf_text(demo_report, tmp_path, first=pages, last=pages))
    assert "示例生活圈·满意度调查报告" in last              # running header
    assert "数据指纹" + FINGERPRINT[:12] in last            # a short fingerprint on every page
    first = squash(pdf_text(demo_report, tmp_path, first=1, last=1))
    assert FINGERPRINT not in first and FINGERPRINT not in last   # the full one only in the method appendix
    contents = squash(pdf_text(demo_report, tmp_path, first=2, last=2))
    method = int(re.search(r"附录一调查方法与数据指纹(\d+)", contents).group(1))   # its page, from the contents
    assert FINGERPRINT in squash(pdf_text(demo_report, tmp_path, first=method, last=method))
    for title in ("评价机构", "项目负责人", "审核人", "日期", "盖章"):   # the sign-off block, on the last page
        assert title in last
    assert pages <= 30


def test_chart_labels_stay_text(demo_text):
    text = squash(demo_text)
    # Labels drawn inside the SVG charts (rate bars, demand ranking, quadrant captions).
    for label in ("便利店", "菜市场、买菜", "重点改进", "继续保持", "黑色横线：误差范围"):
        assert label in text
    assert "35.2%（n=211）" in text                           # ranking_bars value column


def test_fonts_embedded_subset_one_family(demo_report, tmp_path):
    rows = fonts(demo_report, tmp_path)
    assert rows, "no fonts"
    assert all(r["emb"] == "yes" and r["sub"] == "yes" and r["uni"] == "yes" for r in rows), rows
    assert {family(r["name"]) for r in rows} == {"Noto-Sans-CJK-SC"}


def test_report_is_deterministic(demo_report, tmp_path):
    again = campaign_report(load_summary(), **OPTIONS, questionnaire_title="一刻钟便民生活圈居民满意度调查",
                            evaluation_round=1)
    assert again == demo_report
    path = tmp_path / "r.pdf"
    path.write_bytes(demo_report)
    info = subprocess.run(["pdfinfo", "-isodates", str(path)], check=True, capture_output=True, text=True).stdout
    assert re.search(r"CreationDate:\s+2026-12-28T00:00:00\+08", info)
    assert re.search(r"ModDate:\s+2026-12-28T00:00:00\+08", info)


def hostile_summary() -> dict:
    summary = load_summary()
    summary["distributions"][0]["label"] = HOSTILE
    summary["distributions"][0]["choices"][0][1] = HOSTILE_STYLE
    summary["distributions"][0]["counts"]["</table><img src=http://127.0.0.1:1/y>"] = 3   # free text as a code
    summary["details"][0]["label"] = "</svg>" + HOSTILE
    summary["demand"][0]["items"][0]["label"] = HOSTILE
    summary["breakdowns"]["business_satisfaction"]["community"]["groups"][0]["label"] = HOSTILE
    summary["quality"]["exclusion_labels"]["incomplete"] = HOSTILE_STYLE
    summary["campaign"]["version"] = "1<script>fetch('http://127.0.0.1:1/z')</script>"
    return summary


def test_hostile_text_is_text_and_fetches_nothing(tmp_path, no_network):
    fetcher = ReportURLFetcher()
    pdf = campaign_report(hostile_summary(), **{**OPTIONS, "assessor": HOSTILE,
                                                 "circle": {"name": "示例<b>生活圈</b>", "population": 20000}},
                          url_fetcher=fetcher)
    text = squash(pdf_text(pdf, tmp_path))
    assert squash(HOSTILE) in text                          # shown as the characters it is made of
    assert squash(HOSTILE_STYLE) in text
    assert "示例<b>生活圈</b>" in text
    assert "</table><imgsrc=http://127.0.0.1:1/y>" in text
    assert "1<script>fetch('http://127.0.0.1:1/z')</script>" in text
    # Only our own stylesheet and the seven charts (our own SVG as data: images: the two indicators,
    # the details, one per grouping (age band, community) with both indicators, one key-driver grid
    # and the one demand ranking) were requested; nothing refused (nothing else was even asked for).
    assert fetcher.served == [(STATIC_DIR / "report.css").as_uri()] + ["data:"] * 7
    assert fetcher.refused == []
    assert no_network == []
    assert page_count(pdf, tmp_path) > 5


def test_hostile_text_is_escaped_in_html():
    html = render_html("campaign.html", report_context(hostile_summary(), **OPTIONS))
    assert '<img src="http://127.0.0.1:1/x">' not in html
    assert "&lt;img src=&#34;http://127.0.0.1:1/x&#34;&gt;" in html
    assert "<script>" not in html and "<style>@import" not in html


def test_small_groups_are_suppressed(tmp_path):
    summary = load_summary()
    groups = summary["breakdowns"]["service_satisfaction"]["age_band"]["groups"]
    groups[4].update(respondents=3, answered=3, satisfied=2, rate=0.6123, ci_low=0.2077, ci_high=0.9712,
                     suppressed=True, suppression_reason="small_group")
    # A document that forgot to suppress a group of 4: the report suppresses it anyway.
    groups[3].update(respondents=4, answered=4, suppressed=False, rate=0.5432, ci_low=0.3711, ci_high=0.9501)
    context = report_context(summary, **OPTIONS)
    table = next(b for b in context["breakdowns"] if b["title"] == "服务满意 · 按年龄段")
    assert [row["suppressed"] for row in table["rows"]] == [False, False, False, True, True]
    text = squash(pdf_text(campaign_report(summary, **OPTIONS), tmp_path))
    assert text.count("少于5人，不显示") >= 2
    for figure in ("61.2%", "54.3%", "20.8%", "97.1%", "37.1%", "95.0%"):    # not in tables, not in charts
        assert figure not in text


def test_breakdowns_one_chart_per_grouping_with_both_indicators():
    context = report_context(load_summary(), **OPTIONS)
    groupings = context["breakdown_groupings"]
    assert sorted(g["title"] for g in groupings) == ["业态满意与服务满意 · 按年龄段", "业态满意与服务满意 · 按社区"]
    for grouping in groupings:
        # every table of the chapter is still there, under its grouping
        assert [t["title"] for t in grouping["tables"]] == [f"{name} · {grouping['by']}" for name in ("业态满意", "服务满意")]
        chart = str(grouping["chart"])
        assert chart.count('class="chart-legend"') == 2 and "业态满意" in chart and "服务满意" in chart
        rows = len(grouping["tables"][0]["rows"])
        assert chart.count('class="chart-bar"') == 2 * rows        # one bar per indicator and group
    html = render_html("campaign.html", context)
    assert html.count('<div class="breakdown">') == 2


def test_table_headers_repeat_on_every_page(tmp_path):
    summary = load_summary()
    ranking = summary["demand"][0]
    ranking["items"] = [dict(item, label=f"需求业态{i:03d}", rank=i + 1, count=200 - i)
                        for i, item in enumerate(ranking["items"] * 3)]       # 99 rows: several pages
    pdf = campaign_report(summary, **OPTIONS)
    pages = [squash(pdf_text(pdf, tmp_path, first=n, last=n)) for n in range(1, page_count(pdf, tmp_path) + 1)]
    with_rows = [p for p in pages if "需求业态050" in p or "需求业态098" in p or "需求业态020" in p]
    assert len(with_rows) >= 2
    for page in with_rows:
        assert all(h in page for h in ("排名", "提及人数", "占回答人数", "误差范围"))    # the thead, repeated


def test_verdicts_in_plain_words():
    summary = load_summary()
    business, service = summary["indicators"].values()
    css, words = verdict(service, True)
    assert css == "warn" and "跨过了 90% 的分档线" in words and "88.0%" in words
    css, words = verdict(business, True)
    assert css == "ok" and "80% 至 90% 之间" in words
    css, words = verdict(business, False)
    assert css == "bad" and "3%" in words and "0 分" in words


def test_unmet_sample_is_said_on_the_result_page():
    summary = load_summary()
    summary["sample"].update(valid=500, met=False, shortfall=100)
    for item in summary["indicators"].values():
        item["points"] = 0
    html = render_html("campaign.html", report_context(summary, **OPTIONS))
    assert "未达到要求，还差 100 份" in html
    assert html.count("有效问卷未达到服务人口 3% 的要求，按规则本项计 0 分。") == 2


def test_evaluation_chapters_only_with_an_evaluation():
    # With an evaluation, the chapters are rendered from its score sheet (see
    # tests/test_reporting.py::test_evaluation_report_needs_a_campaign); without one, none.
    without = render_html("campaign.html", report_context(load_summary(), **OPTIONS))
    assert "服务“好不好”评分" not in without and "评价结论" not in without
    template = (Path(__file__).parent.parent / "templates" / "reports" / "campaign.html").read_text(encoding="utf-8")
    assert '{% include "_evaluation_result.html" %}' in template
    assert '{% include "_evaluation_sections.html" %}' in template


# --- the URL fetcher --------------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "http://127.0.0.1:1/x",
    "https://example.com/a.css",
    "ftp://example.com/a",
    "file:///etc/passwd",
    (STATIC_DIR / ".." / ".." / "setup.cfg").as_uri(),
    STATIC_DIR.as_uri() + "/../rendering.py",
    STATIC_DIR.as_uri() + "/%2e%2e/rendering.py",
    "file://evil.example/share/report.css",
    "javascript:alert(1)",
    "about:blank",
])
def test_fetcher_refuses(url, no_network):
    fetcher = ReportURLFetcher()
    with pytest.raises(FetchRefused):
        fetcher.fetch(url)
    assert fetcher.refused == [url] and fetcher.served == []


def test_fetcher_refuses_symlink_out_of_static(tmp_path):
    static = tmp_path / "static"
    static.mkdir()
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }", encoding="utf-8")
    (static / "link.css").symlink_to(secret)
    (static / "ok.css").write_text("p { margin: 0 }", encoding="utf-8")
    fetcher = ReportURLFetcher(static)
    with pytest.raises(FetchRefused):
        fetcher.fetch((static / "link.css").as_uri())
    assert fetcher.fetch((static / "ok.css").as_uri()).read() == b"p { margin: 0 }"


def test_fetcher_serves_static_and_data():
    fetcher = ReportURLFetcher()
    response = fetcher.fetch((STATIC_DIR / "report.css").as_uri())
    assert response.content_type == "text/css" and b"@page" in response.read()
    response = fetcher.fetch("data:image/svg+xml;base64,PHN2Zy8+")
    assert response.content_type == "image/svg+xml" and response.read() == b"<svg/>"
    assert fetcher.fetch("data:text/plain,a%20b").read() == b"a b"


def test_chart_image_carries_the_svg_unchanged_and_its_title_escaped():
    svg = Markup('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><title>满意率 &lt;b&gt;&#34;x&#34;</title>'
                 '<rect x="0" y="0" width="10" height="10" fill="#ffffff"/></svg>')
    tag = str(chart_image(svg))
    found = re.fullmatch(r'<img class="chart" src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)" alt="([^"<>]*)">', tag)
    assert found is not None
    assert base64.b64decode(found.group(1)).decode("utf-8") == str(svg)
    assert found.group(2) == "满意率 &lt;b&gt;&#34;x&#34;"      # the title's text, still escaped once
    assert chart_image(None) is None
    untitled = str(chart_image(Markup('<svg xmlns="http://www.w3.org/2000/svg"/>')))
    assert untitled.endswith('alt="图表">')


def test_collector_paused_while_rendering_and_restored_after():
    """Overlapping renders (threads of one server) turn the collector back on only when the
    last ends, and a collector that was off before stays off."""
    assert gc.isenabled()
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def first():
        with cyclic_collection_paused():
            first_in.set()
            second_in.wait(5)
        seen["after first"] = gc.isenabled()     # the second render is still running
        first_out.set()

    def second():
        first_in.wait(5)
        with cyclic_collection_paused():
            seen["inside"] = gc.isenabled()
            second_in.set()
            first_out.wait(5)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert seen == {"inside": False, "after first": False}
    assert gc.isenabled()
    gc.disable()
    try:
        with cyclic_collection_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
    with pytest.raises(RuntimeError), cyclic_collection_paused():
        raise RuntimeError("a render that fails")
    assert gc.isenabled()


# --- the summary sheet --------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"),
    ("+86 138", "'+86 138"),
    ("-5", "'-5"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"),
    ("\rx", "'\rx"),
    ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
    ("示例生活圈", "示例生活圈"),
    ("a=b", "a=b"),
    ("", ""),
    ("a\x00b\x07c", "abc"),          # characters a worksheet cannot hold are dropped
    (42, 42),
    (0.85, 0.85),
    (None, None),
    (date(2026, 1, 1), date(2026, 1, 1)),
])
def test_neutralise_for_csv(value, expected):
    """CSV keeps the apostrophe guard: a CSV cell has no type and Excel evaluates ``=`` there."""
    assert neutralise(value) == expected


def xlsx_formulas(data: bytes) -> list[str]:
    """Every <f> (formula) element in any worksheet of an XLSX file: an export must have none."""
    import re
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [f for name in archive.namelist() if name.startswith("xl/worksheets/")
                for f in re.findall(rb"<f[ >].*?</f>", archive.read(name))]


def test_summary_sheet_pdf_one_page(tmp_path, no_network):
    fetcher = ReportURLFetcher()
    pdf = summary_sheet_pdf(load_summary(), **OPTIONS, url_fetcher=fetcher)
    assert page_count(pdf, tmp_path) == 1
    text = squash(pdf_text(pdf, tmp_path))
    for expected in ("汇总表", "示例生活圈", "622", "600", "85.3%", "88.0%", "82.3%–87.8%", "10/16", "临界", "达标",
                     "某某评价咨询有限公司", "PJ-2026-0001", FINGERPRINT):
        assert expected in text, expected
    assert {family(r["name"]) for r in fonts(pdf, tmp_path)} == {"Noto-Sans-CJK-SC"}
    assert pdf == summary_sheet_pdf(load_summary(), **OPTIONS)
    assert fetcher.refused == []


def test_summary_sheet_xlsx_shows_typed_text_never_formulas_and_numbers():
    summary = load_summary()
    summary["details"][0]["label"] = "=HYPERLINK(\"http://127.0.0.1:1\",\"点我\")"
    summary["campaign"]["version"] = "@SUM(1)"
    options = {**OPTIONS, "circle": {"name": "=cmd|' /C calc'!A0", "population": 20000}, "assessor": "+机构",
               "report_number": "-1", "fingerprint": "\tfp"}
    data = summary_sheet_xlsx(summary, **options)
    assert data == summary_sheet_xlsx(summary, **options)          # reproducible
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["生活圈", "服务人口", "调查编号"] and "满意率" in header
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == 2 + len(summary["details"])
    assert xlsx_formulas(data) == []
    for row in rows:
        for cell in row:
            if isinstance(cell.value, str):
                assert cell.data_type == "s"
                assert not cell.value.startswith("'"), cell.value
    col = {name: i for i, name in enumerate(header)}
    first = rows[0]
    # Exactly what was typed, no visible apostrophe; Excel's quote prefix keeps it text on edit.
    assert first[col["生活圈"]].value == "=cmd|' /C calc'!A0" and first[col["生活圈"]].quotePrefix
    assert first[col["评价机构"]].value == "+机构"
    assert first[col["报告编号"]].value == "-1"
    assert first[col["问卷版本"]].value == "@SUM(1)"
    assert rows[2][col["指标"]].value == "=HYPERLINK(\"http://127.0.0.1:1\",\"点我\")"
    assert rows[2][col["指标"]].quotePrefix and not first[col["指标"]].quotePrefix
    # Numbers are numbers, rates formatted as percentages.
    assert first[col["指标"]].value == "业态满意"
    assert first[col["有效样本量"]].value == 622 and first[col["服务人口"]].value == 20000
    assert first[col["有效回答"]].value == 604 and first[col["得分"]].value == 10
    rate = first[col["满意率"]]
    assert rate.data_type == "n" and rate.number_format == "0.0%"
    assert rate.value == pytest.approx(0.8526490066225165)
    assert first[col["误差范围下限"]].number_format == "0.0%"
    assert sheet.column_dimensions["A"].width >= 10 and sheet.column_dimensions["K"].width >= 20


# --- the poster ---------------------------------------------------------------------------------

POSTER_URL = "https://survey.example.cn/s/Vf3kQ9xYzL2mN8pR4tW6uA1bC5dE7gH0"


@pytest.mark.parametrize("name", ["示例生活圈", "幸福里—和平—新桥三社区联合一刻钟便民生活圈（北片区）" * 2])
def test_poster_one_page_with_qr(name, tmp_path, no_network):
    fetcher = ReportURLFetcher()
    pdf = qr_poster(circle_name=name, url=POSTER_URL, closes_on=date(2026, 12, 21),
                    questionnaire_title="一刻钟便民生活圈居民满意度调查", url_fetcher=fetcher)
    assert page_count(pdf, tmp_path) == 1
    text = squash(pdf_text(pdf, tmp_path))
    for expected in (squash(name), "扫一扫", "匿名填写", "截止日期：2026年12月21日", POSTER_URL):
        assert expected in text
    assert "data:" in fetcher.served and fetcher.refused == []      # the QR code was loaded
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        page = doc.pages[0]
        # segno draws the modules as runs of strokes: many short lines, all in the middle band.
        modules = [line for line in page.lines if 150 < line["top"] < 650]
    assert len(modules) > 100
    assert {family(r["name"]) for r in fonts(pdf, tmp_path)} == {"Noto-Sans-CJK-SC"}


def test_poster_without_closing_date_is_deterministic():
    kwargs = dict(circle_name="示例生活圈", url=POSTER_URL, closes_on=None, questionnaire_title="居民满意度调查")
    assert qr_poster(**kwargs) == qr_poster(**kwargs)
