"""Staff pages of circles: register one, edit one, import a whole city's list.

Assessors and admins create circles (the firm hired by a city registers its list; the
commerce bureau's figures arrive as a spreadsheet); an assessor may see the circles they
create from then on. A refused form comes back with the message next to the field and what
was typed kept; a refused file comes back with every problem, row and column.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth.access import circle_or_404
from ..db import get_session
from ..downloads import file_response
from ..models import CircleCreate, CommunityCreate
from ..responses.importer import SUPPORTED_SUFFIXES, ImportFailed, Limits, Problem
from ..web.expiry import refills_when_expired
from ..web.request import accepts_upload
from . import citylist, queries, staging
from .forms import SPARE_COMMUNITY_ROWS, CityListForm, ConfirmImportForm, circle_form, whole_number
from .operations import CircleFieldError, create_circle, population_gap, store_city_list, update_circle

bp = Blueprint("circles", __name__, url_prefix="/staff/circles")

TEMPLATE_NAME = "生活圈清单模板.xlsx"


def _data(form) -> CircleCreate | None:
    """The form's values as CircleCreate, or None (the messages are on the fields)."""
    ages = form.age_structure()
    if form.errors or any(f.errors for f in form.age_fields()):
        return None
    return CircleCreate(
        name=form.name.data, population=whole_number(form.population.data), city_tier=int(form.city_tier.data),
        communities=[CommunityCreate(name=name, population=population) for _, name, population in form.community_entries()],
        age_structure=ages, address=form.address.data or "", notes=form.notes.data or "")


def _pad_communities(form) -> None:
    while len(form.communities.entries) < len([e for e in form.communities.entries if e.form.name.data]) + SPARE_COMMUNITY_ROWS:
        form.communities.append_entry()


@bp.route("/new", methods=["GET", "POST"])
@refills_when_expired
def new():
    db = get_session()
    form = circle_form(queries.age_bands())
    if form.validate_on_submit() and (data := _data(form)) is not None:
        try:
            circle = create_circle(db, data, grant_to=current_user._get_current_object())
        except CircleFieldError as exc:
            form[exc.field].errors.append(str(exc))
        else:
            gap = population_gap(data)
            flash(f"已登记生活圈 {circle.name}。" + (f"注意：各社区人口之和与服务人口相差 {gap}。" if gap else ""), "info")
            return redirect(url_for("evaluation.circle", circle_id=circle.id))
    _pad_communities(form)
    return render_template("circles/form.html", form=form, circle=None, issued=[]), 422 if form.errors else 200


@bp.route("/<int:circle_id>/edit", methods=["GET", "POST"])
@refills_when_expired
def edit(circle_id: int):
    db = get_session()
    circle = circle_or_404(circle_id)
    bands = queries.age_bands()
    if request.method == "POST":
        form = circle_form(bands)
    else:
        communities = queries.communities_of(db, circle.id)
        data = {"name": circle.name, "population": str(circle.population), "city_tier": str(circle.city_tier),
                "address": circle.address, "notes": circle.notes,
                "communities": [{"id": str(c.id), "name": c.name, "population": str(c.population)} for c in communities]}
        for code, _ in bands:
            share = (circle.age_structure or {}).get(code)
            data[f"age_{code}"] = "" if share is None else f"{share * 100:g}"
        form = circle_form(bands, data=data)
    if form.validate_on_submit() and (data := _data(form)) is not None:
        ids = [community_id for community_id, _, _ in form.community_entries()]
        try:
            update_circle(db, circle, data, community_ids=ids)
        except CircleFieldError as exc:
            db.rollback()
            form[exc.field].errors.append(str(exc))
        else:
            flash(f"已保存生活圈 {circle.name}。", "info")
            return redirect(url_for("evaluation.circle", circle_id=circle.id))
    _pad_communities(form)
    return render_template("circles/form.html", form=form, circle=circle,
                           issued=queries.issued_report_numbers(db, circle.id)), 422 if form.errors else 200


@bp.route("/import/template.xlsx")
def template():
    content = citylist.template_xlsx(queries.age_bands())
    return file_response(content, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", TEMPLATE_NAME)


def _check(path: Path, shown_name: str) -> citylist.CityList:
    return citylist.check_city_list(path, queries.age_bands(), queries.circle_names(get_session()),
                                    Limits.from_config(current_app.config), file_name=shown_name)


@bp.route("/import", methods=["GET", "POST"])
@accepts_upload
def import_list():
    """Upload → every problem listed, or the counts and a confirmation (nothing stored yet)."""
    form = CityListForm()
    problems: list[Problem] = []
    if form.validate_on_submit():
        upload = form.file.data
        name = Path(getattr(upload, "filename", "") or "").name
        suffix = Path(name).suffix.lower()
        if not upload or not name:
            form.file.errors.append("请选择要导入的文件")
        elif suffix not in SUPPORTED_SUFFIXES:
            form.file.errors.append("只能导入 .xlsx 或 .csv 文件：请在 Excel 中另存为 .xlsx 后再导入")
        else:
            content = upload.read()
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / f"upload{suffix}"
                path.write_bytes(content)
                try:
                    checked = _check(path, name)
                except ImportFailed as failed:
                    problems = failed.problems
                else:
                    token = staging.stage(current_app.instance_path, current_user.id, content, suffix)
                    confirm = ConfirmImportForm(formdata=None, token=token)
                    return render_template("circles/import_confirm.html", checked=checked, file_name=name,
                                           confirm=confirm)
    status = 422 if (problems or form.errors) else 200
    return render_template("circles/import.html", form=form, problems=problems,
                           columns=citylist.columns(queries.age_bands())), status


@bp.route("/import/confirm", methods=["POST"])
def import_confirm():
    """Store the staged list (checked once more): all circles, or none."""
    form = ConfirmImportForm()
    path = staging.staged_path(current_app.instance_path, current_user.id, form.token.data) \
        if form.validate_on_submit() else None
    if path is None:
        flash("找不到待导入的文件（可能已导入或已过期），请重新上传。", "error")
        return redirect(url_for("circles.import_list"))
    name = request.form.get("file_name", "") or path.name
    try:
        checked = _check(path, name)
    except ImportFailed as failed:
        staging.discard(path)
        return render_template("circles/import.html", form=CityListForm(formdata=None), problems=failed.problems,
                               columns=citylist.columns(queries.age_bands())), 422
    created = store_city_list(get_session(), checked.circles, grant_to=current_user._get_current_object(),
                              file_name=name)
    staging.discard(path)
    flash(f"已导入 {len(created)} 个生活圈。", "info")
    return redirect(url_for("campaigns.new", circle=[c.id for c in created]))
