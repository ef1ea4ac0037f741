"""``/c/<circle id>``: the circle's public page. No sign-in; an unknown circle is a 404."""
from __future__ import annotations

import gzip

from flask import Blueprint, abort, make_response, render_template, request

from ..charts import outlet_map
from ..db import get_session
from ..models import Circle
from .queries import public_page

bp = Blueprint("circlepage", __name__, url_prefix="/c")


@bp.route("/<int:circle_id>")
def show(circle_id: int):
    circle = get_session().get(Circle, circle_id)
    if circle is None:
        abort(404)
    page = public_page(get_session(), circle)
    svg = outlet_map(page["communities"], page["map_outlets"], radius_m=page["radius_m"],
                     minutes=page["minutes"] or 15, title=f"{circle.name} 网点分布", width=360, height=340,
                     responsive=True) if page["map_outlets"] or page["communities"] else None
    body = render_template("circlepage/show.html", circle=circle, page=page, map_svg=svg).encode("utf-8")
    headers = {"Cache-Control": "public, max-age=300", "Vary": "Accept-Encoding",
               "Content-Type": "text/html; charset=utf-8"}
    if request.accept_encodings["gzip"]:
        # Phones on a weak signal: the page is mostly repeated markup and compresses about 8:1.
        body = gzip.compress(body, compresslevel=6, mtime=0)
        headers["Content-Encoding"] = "gzip"
    return make_response(body, 200, headers)
