"""Staff page of communities' representative points, under ``/staff/circles/<id>/places``:
the list, adding a point (typed coordinates or a click on the map) and deleting one, and the
circle's coverage table beside them. Scoped to circles the user may see (404 otherwise)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from ..auth.access import circle_or_404
from ..db import get_session
from ..geo import DATUMS, GeoPointError, from_display, parse_geopoint
from . import queries
from .forms import DeleteForm, PointForm
from .operations import PointError, add_point, delete_point

bp = Blueprint("locations", __name__, url_prefix="/staff/circles/<int:circle_id>/places")


def parse_location(text: str, datum: str):
    """Typed or clicked coordinates → a WGS-84 GeoPoint (GeoPointError with a Chinese message)."""
    point = parse_geopoint(text)
    return from_display(point.lat, point.lon, datum if datum in DATUMS else "wgs84", point.accuracy)


@bp.route("", methods=["GET", "POST"])
def points(circle_id: int):
    circle = circle_or_404(circle_id)
    db = get_session()
    listing = queries.communities_with_points(db, circle.id)
    form = PointForm()
    form.community.choices = [(str(c.id), c.name) for c, _ in listing]
    status = 200
    if form.validate_on_submit():
        community = next((c for c, _ in listing if str(c.id) == form.community.data), None)
        if community is None:
            form.community.errors = ["请选择社区"]
        else:
            try:
                point = parse_location(form.location.data, form.datum.data)
                add_point(db, community, point, form.label.data)
            except (GeoPointError, PointError) as exc:
                form.location.errors = [str(exc)]
            else:
                flash(f"已为“{community.name}”添加代表点。", "info")
                return redirect(url_for(".points", circle_id=circle.id))
    if request.method == "POST":
        status = 422
    found = queries.circle_coverage(db, circle.id)
    return render_template("locations/points.html", circle=circle, listing=listing, form=form,
                           delete=DeleteForm(), coverage=found,
                           map_data=queries.browser_map(found, found["labels"]) if found else None), status


@bp.route("/<int:point_id>/delete", methods=["POST"])
def delete(circle_id: int, point_id: int):
    circle = circle_or_404(circle_id)
    db = get_session()
    if not DeleteForm().validate_on_submit():
        abort(400)
    point = queries.point_of_circle(db, circle.id, point_id)
    if point is None:
        from ..models import CommunityPoint

        if db.get(CommunityPoint, point_id) is not None:
            abort(404)  # another circle's point
        flash("这个代表点已经删除了。", "info")  # a second click on 删除: nothing left to do
        return redirect(url_for(".points", circle_id=circle.id))
    delete_point(db, point)
    flash("已删除代表点。", "info")
    return redirect(url_for(".points", circle_id=circle.id))
