"""The QR poster of a circle's public page (问38 便民地图): an A4 page to print and put up at a
community gate, like the survey poster, pointing at the circle's own public address."""
from __future__ import annotations

import hashlib

from surveyapp.campaigns.qr import qr_code

from .poster import _name_size
from .rendering import render_pdf


def circle_page_poster(*, circle_name: str, url: str, url_fetcher=None) -> bytes:
    """One A4 page; the same name and address always give the same bytes (no date is printed)."""
    context = {
        "doc": {"title": f"{circle_name} 便民地图二维码", "author": circle_name, "created": None},
        "circle_name": circle_name,
        "name_size": _name_size(circle_name),
        "url": url,
        "qr": qr_code(url).svg_data_uri(scale=10, border=4, dark="#000000", light="#ffffff"),
    }
    identifier = hashlib.sha256(f"circle-page|{circle_name}|{url}".encode()).hexdigest()[:32]
    return render_pdf("circle_poster.html", context, identifier=identifier, url_fetcher=url_fetcher)
