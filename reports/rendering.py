"""HTML → PDF: the Jinja2 environment of ``templates/reports/`` and a locked-down WeasyPrint.

* Autoescape is on for every template. Questionnaire and answer text is never marked safe; the
  SVG charts arrive as :class:`markupsafe.Markup` from :mod:`surveyapp.charts`, which escapes every
  piece of text it draws. Templates place them with the ``chart_image`` filter: an ``<img>`` whose
  source is the SVG as a ``data:`` URI, drawn exactly as inline SVG would be but several times
  cheaper to render (see :func:`chart_image`).
* :class:`ReportURLFetcher` serves the report's own static files (``reports/static/``) and ``data:``
  URIs, and refuses everything else: no network, no ``file://`` outside that folder, no ``..``
  escaping it, no symlink leading out of it.
* Output is deterministic: the PDF dates come from ``<meta name="dcterms.created">`` in the
  template (set from the data, never from the clock) and the file identifier is derived from
  the caller's ``identifier``; the same context gives the same bytes.

No Flask here: the CLI and the web page get the same bytes from the same data.
"""
from __future__ import annotations

import base64
import contextlib
import gc
import hashlib
import re
import threading
import urllib.parse
import urllib.request
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
TEMPLATE_DIR = PROJECT_ROOT / "templates" / "reports"
STATIC_DIR = PACKAGE_DIR / "static"

#: China Standard Time: no daylight saving, so a fixed offset is exact.
CHINA_TZ = timezone(timedelta(hours=8), "CST")
#: The one font family of every report (Debian: fonts-noto-cjk).
FONT_FAMILY = "Noto Sans CJK SC"
#: Largest ``data:`` URI body the fetcher decodes (a QR code is a few kB).
MAX_DATA_URI = 2 * 1024 * 1024

STATIC_MIME_TYPES = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}


class FetchRefused(ValueError):
    """A resource the reports may not load."""


# --- URL fetcher ------------------------------------------------------------------------------

def _decode_data_uri(url: str) -> tuple[bytes, str, str | None]:
    """``data:[<mime>][;charset=…][;base64],<payload>`` → (body, mime type, charset)."""
    header, sep, payload = url[len("data:"):].partition(",")
    if not sep:
        raise FetchRefused("malformed data: URI")
    params = [p.strip() for p in header.split(";")]
    mime = params[0].lower() or "text/plain"
    is_base64 = any(p.lower() == "base64" for p in params[1:])
    charset = next((p.split("=", 1)[1] for p in params[1:] if p.lower().startswith("charset=")), None)
    if len(payload) > MAX_DATA_URI * 2:
        raise FetchRefused("data: URI too large")
    if is_base64:
        body = base64.b64decode(urllib.parse.unquote_to_bytes(payload), validate=False)
    else:
        body = urllib.parse.unquote_to_bytes(payload)
    if len(body) > MAX_DATA_URI:
        raise FetchRefused("data: URI too large")
    return body, mime, charset


def _static_path(url: str, root: Path) -> Path:
    """The file inside ``root`` a ``file:`` URL names, or :class:`FetchRefused`."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.netloc not in ("", "localhost"):
        raise FetchRefused(f"remote file URL refused: {url}")
    path = Path(urllib.request.url2pathname(urllib.parse.unquote(parsed.path)))
    try:
        resolved = path.resolve(strict=True)
    except (OSError, RuntimeError):
        raise FetchRefused(f"no such report file: {url}") from None
    if not resolved.is_relative_to(root) or not resolved.is_file():
        raise FetchRefused(f"outside the report files: {url}")
    return resolved


class ReportURLFetcher(URLFetcher):
    """Serves ``static_dir`` (``reports/static/``) and ``data:`` URIs only.

    Everything else raises :class:`FetchRefused`, which WeasyPrint catches and logs (the resource
    is left out; rendering goes on). ``served`` and ``refused`` record every request, so tests can
    check that nothing else was asked for.
    """

    def __init__(self, static_dir: Path | str = STATIC_DIR) -> None:
        # fetch() below never uses the urllib opener; the base class is kept for the state
        # WeasyPrint reads from a fetcher (``_fail_on_errors``).
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False, fail_on_errors=False)
        self.root = Path(static_dir).resolve()
        self.served: list[str] = []
        self.refused: list[str] = []
        self._lock = threading.Lock()

    def fetch(self, url, headers=None):
        url = str(url)
        try:
            response = self._serve(url)
        except FetchRefused:
            with self._lock:
                self.refused.append(url)
            raise
        with self._lock:
            self.served.append("data:" if url.startswith("data:") else url)
        return response

    def _serve(self, url: str) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            body, mime, charset = _decode_data_uri(url)
            headers = {"Content-Type": mime + (f"; charset={charset}" if charset else "")}
            return URLFetcherResponse(url="data:", body=body, headers=headers)
        if scheme == "file":
            path = _static_path(url, self.root)
            mime = STATIC_MIME_TYPES.get(path.suffix.lower())
            if mime is None:
                raise FetchRefused(f"file type not served: {url}")
            headers = {"Content-Type": mime + ("; charset=utf-8" if mime == "text/css" else "")}
            return URLFetcherResponse(url=path.as_uri(), body=path.read_bytes(), headers=headers)
        raise FetchRefused(f"scheme refused: {url[:80]}")


# --- Jinja ------------------------------------------------------------------------------------

def chinese_date(value: date | datetime | None) -> str:
    """2026-12-28 → "2026年12月28日" (aware datetimes in China time)."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(CHINA_TZ)
        value = value.date()
    return f"{value.year}年{value.month}月{value.day}日"


_SVG_TITLE = re.compile(r"<title>(.*?)</title>", re.S)


def chart_image(svg: Markup | None) -> Markup:
    """An SVG chart of :mod:`surveyapp.charts` as ``<img class="chart" src="data:image/svg+xml;base64,…">``.

    Why not inline: WeasyPrint parses inline SVG with its HTML parser, computes CSS styles for
    every ``<line>``, ``<text>`` and ``<title>`` of it, then serialises it again to draw it. As an
    image the same SVG document is parsed once by an XML parser and drawn by the same code, so
    the page is identical (same vector drawing, same text) while HTML parsing and styling of the
    demo 评价报告 take 0.4–0.6 CPU s less, of which about 0.25 s comes back as the images are
    read while boxes are built (bench/report_bench.py --stages). The alt text is the chart's own
    (escaped) title.
    ``None`` (no chart) stays ``None``.
    """
    if svg is None:
        return None
    source = str(svg)
    title = _SVG_TITLE.search(source)
    payload = base64.b64encode(source.encode("utf-8")).decode("ascii")
    # The title is already escaped character data of the SVG: Markup keeps it as it is.
    alt = Markup(title.group(1)) if title else "图表"
    return Markup('<img class="chart" src="data:image/svg+xml;base64,{}" alt="{}">').format(payload, escape(alt))


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=True,                 # every template, whatever its extension
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["cndate"] = chinese_date
    env.filters["chart_image"] = chart_image
    return env


ENVIRONMENT = _environment()


def render_html(template: str, context: Mapping[str, Any]) -> str:
    return ENVIRONMENT.get_template(template).render(**context)


def pdf_timestamp(day: date) -> str:
    """The W3C date WeasyPrint copies into the PDF's CreationDate/ModDate: midnight, China time."""
    return datetime.combine(day, time(0, 0), CHINA_TZ).isoformat()


_collection_lock = threading.Lock()
_collection_pausers = 0
_collection_was_enabled = False


@contextlib.contextmanager
def cyclic_collection_paused():
    """Python's cyclic garbage collector off while a PDF is rendered, back as it was after.

    Why: WeasyPrint allocates hundreds of thousands of boxes, styles and glyph runs that live
    until the PDF is written, so the collector's thresholds keep firing and it runs full
    (oldest-generation) collections that walk every object of the process (the app, fonts,
    the render's own boxes): 0.25–0.35 CPU s of the demo 评价报告's ~2 s, for almost no garbage,
    since the render's objects are freed by reference counting when it ends. The few cycles a
    render leaves are collected by the next collection after it.
    Threads: a counter under a lock, so two renders that overlap re-enable the collector only
    when the last one ends, and never enable it if it was off before the first began.
    """
    global _collection_pausers, _collection_was_enabled
    with _collection_lock:
        if _collection_pausers == 0:
            _collection_was_enabled = gc.isenabled()
            gc.disable()
        _collection_pausers += 1
    try:
        yield
    finally:
        with _collection_lock:
            _collection_pausers -= 1
            if _collection_pausers == 0 and _collection_was_enabled:
                gc.enable()


def render_pdf(template: str, context: Mapping[str, Any], *, identifier: str | bytes | None = None,
               url_fetcher=None) -> bytes:
    """Render ``templates/reports/<template>`` with ``context`` and return the PDF bytes.

    ``identifier``: the first half of the PDF's file ID (the second is a hash of the content);
    defaults to a hash of the rendered HTML, so the same input always gives the same bytes.
    ``url_fetcher``: a :func:`ReportURLFetcher` (tests pass one to see what was fetched).
    """
    html = render_html(template, context)
    if url_fetcher is None:
        url_fetcher = ReportURLFetcher()
    if identifier is None:
        identifier = hashlib.sha256(html.encode("utf-8")).hexdigest()[:32]
    if isinstance(identifier, str):
        identifier = identifier.encode("utf-8")
    with cyclic_collection_paused():
        document = HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=url_fetcher)
        return document.write_pdf(pdf_identifier=identifier, uncompressed_pdf=False)
