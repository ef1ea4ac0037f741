"""The QR poster: an A4 page to print and tape to a gate or a notice board.

Large type for older residents: the circle's name, why and how in one line, the QR code (segno,
vector SVG as a ``data:`` URI), "匿名填写", the closing date, and the link for those who type it.
"""
from __future__ import annotations

import hashlib
from datetime import date

from surveyapp.campaigns.qr import qr_code
from surveyapp.charts import display_width

from .rendering import chinese_date, pdf_timestamp, render_pdf

#: Display columns (CJK = 2) that fit on one line of the printable width at each name size.
NAME_SIZES = ((20, 44), (28, 34), (40, 26), (60, 20))


def _name_size(name: str) -> int:
    """Point size of the circle's name: as large as fits on (at most) two lines."""
    width = display_width(name)
    for cols, size in NAME_SIZES:
        if width <= cols:
            return size
    return 16


#: The resident survey's wording (the app passes each survey kind's own).
RESIDENT_KICKER = "一刻钟便民生活圈 · 居民满意度调查"
RESIDENT_INVITATION = "扫一扫，用 3 分钟说说\n您家附近的店铺和服务"
RESIDENT_NOTE = "匿名填写 · 不问姓名和电话"


def poster_page(*, circle_name: str, url: str, closes_on: date | None, questionnaire_title: str,
                kicker: str = RESIDENT_KICKER, invitation: str = RESIDENT_INVITATION,
                note: str = RESIDENT_NOTE) -> dict:
    """What one poster page shows (the context of ``templates/reports/_poster.html``)."""
    return {
        "circle_name": circle_name,
        "name_size": _name_size(circle_name),
        "url": url,
        "qr": qr_code(url).svg_data_uri(scale=10, border=4, dark="#000000", light="#ffffff"),
        "closes_on": chinese_date(closes_on) if closes_on else None,
        "closes_day": closes_on,
        "title": questionnaire_title,
        "kicker": kicker,
        "invitation": invitation.split("\n"),
        "note": note,
    }


def qr_poster(*, circle_name: str, url: str, closes_on: date | None, questionnaire_title: str,
              url_fetcher=None, kicker: str = RESIDENT_KICKER, invitation: str = RESIDENT_INVITATION,
              note: str = RESIDENT_NOTE) -> bytes:
    """An A4 PDF poster inviting respondents to scan the campaign's QR code (one page).

    ``kicker`` (the line above the circle's name), ``invitation`` (why and how, lines split
    on newlines) and ``note`` (e.g. 匿名填写) follow the survey's kind."""
    page = poster_page(circle_name=circle_name, url=url, closes_on=closes_on, questionnaire_title=questionnaire_title,
                       kicker=kicker, invitation=invitation, note=note)
    context = {
        "doc": {"title": f"{circle_name} 调查二维码",
                "author": circle_name,
                # A poster has no issue date of its own: date it by the campaign's closing day (or
                # leave the date out), never by the clock, so the same input gives the same bytes.
                "created": pdf_timestamp(closes_on) if closes_on else None},
        **page,
    }
    identifier = hashlib.sha256(f"{circle_name}|{url}|{kicker}".encode()).hexdigest()[:32]
    return render_pdf("poster.html", context, identifier=identifier, url_fetcher=url_fetcher)


def qr_posters(pages: list[dict], *, title: str = "调查二维码海报", url_fetcher=None) -> bytes:
    """Many posters in one PDF, one A4 page each (``pages``: :func:`poster_page` results),
    rendered in one pass: a city's 60 circles print from one file."""
    if not pages:
        raise ValueError("no poster to render")
    latest = max((p["closes_day"] for p in pages if p["closes_day"]), default=None)
    context = {"doc": {"title": title, "author": title, "created": pdf_timestamp(latest) if latest else None},
               "pages": pages}
    identifier = hashlib.sha256("|".join(p["url"] for p in pages).encode()).hexdigest()[:32]
    return render_pdf("posters.html", context, identifier=identifier, url_fetcher=url_fetcher)
