"""Staff pages of the outlet inventory, under ``/staff/circles/<id>/outlets``: the merchant
summary, possible duplicates to merge, the list of outlets (close / reopen), and adding an
outlet seen in the field. Every page is scoped to circles the user may see (404 otherwise)."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from ..auth.access import circle_or_404
from ..campaigns.qr import public_url
from ..db import get_session
from ..models import Circle, Outlet, OutletStatus
from . import queries
from .forms import ActionForm, outlet_form
from .operations import OutletError, add_outlet, merge, separate, set_location, set_status
from ..downloads import file_response
from ..geo import GeoPointError
from ..locations import queries as locations
from ..locations.routes import parse_location
from ..web.expiry import refills_when_expired

bp = Blueprint("merchants", __name__, url_prefix="/staff/circles/<int:circle_id>/outlets")

def _circle_or_404(circle_id: int) -> Circle:
    return circle_or_404(circle_id)


def _outlet_or_404(circle: Circle, outlet_id: int) -> Outlet:
    outlet = get_session().get(Outlet, outlet_id)
    if outlet is None or outlet.circle_id != circle.id:
        abort(404)
    return outlet


@bp.route("")
def index(circle_id: int):
    circle = _circle_or_404(circle_id)
    db = get_session()
    labels = queries.labels()
    outlets = queries.outlets_of(db, circle.id)
    summary = queries.summary_with_labels(outlets, labels)
    campaigns = [(c, public_url(current_app.config["BASE_URL"], c.token))
                 for c in queries.merchant_campaigns(db, circle.id)]
    status = request.args.get("status", "")
    shown = [o for o in outlets if not status or o.status == status]
    coverage = locations.circle_coverage(db, circle.id)
    return render_template("merchants/index.html", circle=circle, outlets=shown, all_count=len(outlets),
                           status=status, duplicates=queries.pending_duplicates(outlets), summary=summary,
                           labels=labels, campaigns=campaigns, action=ActionForm(), coverage=coverage,
                           map_data=locations.browser_map(coverage, labels["types"]) if coverage else None,
                           public_url=public_page_url(circle))


@bp.route("/new", methods=["GET", "POST"])
@refills_when_expired
def new(circle_id: int):
    circle = _circle_or_404(circle_id)
    labels = queries.labels()
    form = outlet_form(labels["types"].items(), labels)()
    problems = []
    if request.method == "POST":
        valid = form.validate_on_submit()
        if form.type_code.data not in labels["types"]:
            form.type_code.errors = [*form.type_code.errors, "请选择业态类型"]
            valid = False
        varieties = (form.breakfast_varieties.data or "").strip()
        if varieties and not varieties.isdigit():
            form.breakfast_varieties.errors = [*form.breakfast_varieties.errors, "请填写整数"]
            valid = False
        if valid:
            try:
                outlet = add_outlet(
                    get_session(), circle.id, form.name.data, form.address.data, form.type_code.data,
                    note=form.note.data, chain=form.chain.data, brand=(form.brand.data or "").strip(),
                    is_24h=form.is_24h.data, addon_services=list(form.addon_services.data or []),
                    sells_breakfast=form.type_code.data == "breakfast" or bool(varieties),
                    breakfast_varieties=int(varieties) if varieties else None,
                    home_delivery=form.home_delivery.data, instant_retail=form.instant_retail.data,
                    repair_categories=list(form.repair_categories.data or []),
                    market_facilities=list(form.market_facilities.data or []),
                    qr_payment={"yes": True, "no": False}.get(form.qr_payment.data),
                    listed_on_platform={"yes": True, "no": False}.get(form.listed_on_platform.data))
            except OutletError as exc:
                form.name.errors = [*form.name.errors, str(exc)]
            else:
                if outlet.possible_duplicate_of:
                    flash(f"已添加“{outlet.name}”。清单中已有名称和地址相同的网点，请在“疑似重复”中确认是否合并。", "error")
                else:
                    flash(f"已添加“{outlet.name}”。", "info")
                return redirect(url_for("merchants.index", circle_id=circle.id))
        problems = [field.label.text for field in form if field.errors]
    return render_template("merchants/new.html", circle=circle, form=form, problems=problems), (422 if problems else 200)


def _act(circle_id: int, outlet_id: int, change, done: str):
    circle = _circle_or_404(circle_id)
    outlet = _outlet_or_404(circle, outlet_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        change(outlet, form.value.data or "")
    except OutletError as exc:
        flash(str(exc), "error")
    else:
        flash(done.format(name=outlet.name), "info")
    return redirect(url_for("merchants.index", circle_id=circle.id, _anchor=request.form.get("anchor") or None))


@bp.route("/<int:outlet_id>/status", methods=["POST"])
def status(circle_id: int, outlet_id: int):
    def change(outlet, value):
        if value not in (OutletStatus.open.value, OutletStatus.closed.value):
            raise OutletError("未知的网点状态")
        set_status(get_session(), outlet, value)
    return _act(circle_id, outlet_id, change, "已更新“{name}”的营业状态。")


@bp.route("/<int:outlet_id>/merge", methods=["POST"])
def merge_duplicate(circle_id: int, outlet_id: int):
    def change(outlet, value):
        if outlet.possible_duplicate_of is None:
            raise OutletError("这个网点没有被标记为疑似重复")
        keep = get_session().get(Outlet, outlet.possible_duplicate_of)
        merge(get_session(), outlet, keep, use_newer=value != "keep")
    return _act(circle_id, outlet_id, change, "已合并“{name}”。")


@bp.route("/<int:outlet_id>/separate", methods=["POST"])
def separate_duplicate(circle_id: int, outlet_id: int):
    return _act(circle_id, outlet_id, lambda outlet, _value: separate(get_session(), outlet),
                "已确认“{name}”是另一家网点，单独计入清单。")


def public_page_url(circle: Circle) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + url_for("circlepage.show", circle_id=circle.id)


@bp.route("/<int:outlet_id>/location", methods=["POST"])
def locate(circle_id: int, outlet_id: int):
    """Set or move (typed or clicked coordinates, in the map's datum) or clear an outlet's point."""
    def change(outlet, value):
        point = None
        if value != "clear":
            try:
                point = parse_location(request.form.get("location", ""), request.form.get("datum", "wgs84"))
            except GeoPointError as exc:
                raise OutletError(f"“{outlet.name}”的位置没有保存：{exc}") from None
        set_location(get_session(), outlet, point)
    return _act(circle_id, outlet_id, change, "已更新“{name}”的位置。")


@bp.route("/public-poster.pdf")
def public_poster(circle_id: int):
    """The QR poster of the circle's public page (问38), to print and put up."""
    from reports.circle_poster import circle_page_poster

    circle = _circle_or_404(circle_id)
    content = circle_page_poster(circle_name=circle.name, url=public_page_url(circle))
    return file_response(content, "application/pdf", f"生活圈便民地图海报-{circle.id}.pdf")
