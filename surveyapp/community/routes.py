"""Community pages: the demand list, the residents' suggestions, the project list.

Every page needs sign-in, and every circle id in a URL is checked against the circles the
user was granted (admins: all): anything else is a 404, never a 403, so that an officer
cannot even learn which ids exist. Objects below a circle (projects, suggestions) are also
checked to belong to that circle.
"""
from __future__ import annotations


from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth.access import circle_or_404
from ..circles.queries import visible_circles
from ..db import get_session
from ..downloads import file_response
from reports.walk_coverage import coverage_context
from ..models import Circle
from ..timezones import local_today
from ..web.expiry import refills_when_expired
from . import export, queries
from .forms import DeclineForm, NoteForm, ProjectForm, TriageForm, choices, parse_date
from .needs import current_rule, needs_suggestion
from .operations import (CommunityError, add_note, create_project, decline_demand, triage_suggestion,
                         update_project, withdraw_decline)

bp = Blueprint("community", __name__, url_prefix="/community")


def _project_or_404(circle: Circle, project_id: int):
    project = queries.project_of_circle(get_session(), circle.id, project_id)
    if project is None:
        abort(404)
    return project


@bp.route("/")
def index():
    circles = visible_circles(get_session(), current_user)
    if len(circles) == 1 and current_user.role == "officer":
        return redirect(url_for(".demands", circle_id=circles[0].id))
    return render_template("community/circles.html", circles=circles)


@bp.route("/circles/<int:circle_id>")
def demands(circle_id: int):
    circle = circle_or_404(circle_id)
    db = get_session()
    listing = queries.demand_list(db, circle)
    walk = coverage_context(listing["walk_coverage"], highlight=[r["code"] for r in listing["items"] if r.get("far")])
    return render_template("community/demands.html", circle=circle, listing=listing, min_group=queries.MIN_GROUP,
                           section="demands", walk=walk)


@bp.route("/circles/<int:circle_id>/demands/<code>", methods=["GET", "POST"])
def demand(circle_id: int, code: str):
    circle = circle_or_404(circle_id)
    db = get_session()
    listing = queries.demand_list(db, circle)
    if code not in listing["labels"]:
        abort(404)
    row = queries.demand_item(listing, code)
    form = DeclineForm()
    status = 200
    if request.method == "GET" and row and row["decision"]:
        form.reason.data = row["decision"]["reason"]
    if form.validate_on_submit():
        if request.form.get("action") == "withdraw":
            withdraw_decline(db, circle.id, code)
            flash("已撤销“不予实施”的记录。", "info")
            return redirect(url_for(".demand", circle_id=circle.id, code=code))
        try:
            decline_demand(db, circle.id, code, form.reason.data, current_user.id)
        except CommunityError as exc:
            form.reason.errors = [str(exc)]
        else:
            flash("已记录不予实施的理由。", "info")
            return redirect(url_for(".demand", circle_id=circle.id, code=code))
    if form.errors:
        status = 422
    grouped = [s for s in queries.suggestions(db, circle.id, listing["latest"])
               if s["type_code"] == code and not s["hidden"]]
    return render_template("community/demand.html", circle=circle, listing=listing, code=code,
                           label=listing["labels"][code], row=row, form=form, grouped=grouped,
                           min_group=queries.MIN_GROUP, section="demands"), status


@bp.route("/circles/<int:circle_id>/suggestions")
def suggestions(circle_id: int):
    circle = circle_or_404(circle_id)
    db = get_session()
    demand = queries.latest_demand(db, circle.id)
    labels = queries.type_labels(db, circle.id, demand)
    items = queries.suggestions(db, circle.id, demand)
    view = request.args.get("view", "")
    chosen = request.args.get("type", "")
    if view == "hidden":
        shown = [s for s in items if s["hidden"]]
    else:
        shown = [s for s in items if not s["hidden"] and (not chosen or s["type_code"] == chosen)]
    named = [(i["code"], labels.get(i["code"], i["label"])) for i in (demand["items"] if demand else ())
             if i["count"] > 0]
    options = [("", "（未归类）")] + named
    forms = {}
    for item in shown:
        form = TriageForm(prefix=f"s{item['id']}")
        form.type_code.choices = choices(options)
        form.type_code.data = item["type_code"] or ""
        forms[item["id"]] = form
    return render_template("community/suggestions.html", circle=circle, demand=demand, items=items, shown=shown,
                           forms=forms, labels=labels, view=view, chosen=chosen, named=named,
                           shown_at_all=queries.suggestions_shown(demand), min_group=queries.MIN_GROUP,
                           section="suggestions")


@bp.route("/circles/<int:circle_id>/suggestions/<int:response_id>", methods=["POST"])
def triage(circle_id: int, response_id: int):
    circle = circle_or_404(circle_id)
    db = get_session()
    if queries.suggestion_of_circle(db, circle.id, response_id) is None:
        abort(404)
    form = TriageForm(prefix=f"s{response_id}")
    back = url_for(".suggestions", circle_id=circle.id, type=request.args.get("type") or None,
                   view=request.args.get("view") or None, _anchor=f"s{response_id}")
    if not form.validate_on_submit():
        flash("页面已过期，请刷新后再试。", "error")
        return redirect(back)
    action = request.form.get("action", "group")
    labels = queries.type_labels(db, circle.id)
    try:
        if action == "hide":
            triage_suggestion(db, circle.id, response_id, hidden=True, user_id=current_user.id)
            flash("已隐藏这条建议（原文仍保存，可在“已隐藏”中恢复）。", "info")
        elif action == "show":
            triage_suggestion(db, circle.id, response_id, hidden=False, user_id=current_user.id)
            flash("已恢复这条建议。", "info")
        else:
            triage_suggestion(db, circle.id, response_id, type_code=form.type_code.data or "",
                              user_id=current_user.id, known_types=labels)
            flash("已归类。", "info")
    except CommunityError as exc:
        flash(str(exc), "error")
    return redirect(back)


def _project_form(db, circle, listing, project=None) -> ProjectForm:
    labels = listing["labels"]
    shares = {row["code"]: row["share"] for row in listing["items"]}
    named = sorted(shares, key=lambda c: -shares[c])
    others = sorted(c for c in labels if c not in shares)
    form = ProjectForm(obj=None)
    form.type_code.choices = choices([("", "请选择")] + [(c, labels[c]) for c in named + others])
    linked = set(form.demands.data or ())
    if project is not None:
        linked |= {d["code"] for d in queries.project_detail(db, project, labels)["demands"]}
    demand_codes = named + sorted(c for c in linked if c not in shares and c in labels)
    form.demands.choices = choices((c, f"{labels[c]}（{shares[c] * 100:.1f}%）" if c in shares else labels[c])
                                   for c in demand_codes)
    return form


def _form_data(form: ProjectForm) -> dict:
    return {"title": form.title.data, "type_code": form.type_code.data, "demands": form.demands.data or [],
            "action": form.action.data, "responsible": form.responsible.data,
            "planned_on": parse_date(form.planned_on.data), "status": form.status.data}


@bp.route("/circles/<int:circle_id>/projects")
def projects(circle_id: int):
    circle = circle_or_404(circle_id)
    db = get_session()
    listing = queries.demand_list(db, circle)
    rows = queries.projects(db, circle.id, listing["labels"])
    suggestion = needs_suggestion(db, circle.id, current_rule())
    return render_template("community/projects.html", circle=circle, projects=rows, listing=listing,
                           needs_suggestion=suggestion, section="projects")


@bp.route("/circles/<int:circle_id>/projects/new", methods=["GET", "POST"])
@refills_when_expired
def new_project(circle_id: int):
    circle = circle_or_404(circle_id)
    db = get_session()
    listing = queries.demand_list(db, circle)
    form = _project_form(db, circle, listing)
    if request.method == "GET":
        code = request.args.get("type", "")
        if code in listing["labels"]:
            form.type_code.data = code
            form.demands.data = [code]
            row = queries.demand_item(listing, code)
            if row is not None:
                form.title.data = f"补齐{listing['labels'][code]}"
    if form.validate_on_submit():
        try:
            project = create_project(db, circle.id, listing["labels"], _form_data(form), current_user.id,
                                     local_today())
        except CommunityError as exc:
            flash(str(exc), "error")
        else:
            flash(f"项目“{project.title}”已加入项目清单。", "info")
            return redirect(url_for(".project", circle_id=circle.id, project_id=project.id))
    status = 422 if request.method == "POST" else 200
    return render_template("community/project_form.html", circle=circle, form=form, project=None,
                           section="projects"), status


@bp.route("/circles/<int:circle_id>/projects/<int:project_id>/edit", methods=["GET", "POST"])
@refills_when_expired
def edit_project(circle_id: int, project_id: int):
    circle = circle_or_404(circle_id)
    project = _project_or_404(circle, project_id)
    db = get_session()
    listing = queries.demand_list(db, circle)
    form = _project_form(db, circle, listing, project)
    if request.method == "GET":
        detail = queries.project_detail(db, project, listing["labels"])
        form.title.data, form.type_code.data = project.title, project.type_code
        form.demands.data = [d["code"] for d in detail["demands"]]
        form.action.data, form.responsible.data = project.action, project.responsible
        form.planned_on.data = project.planned_on.isoformat() if project.planned_on else ""
        form.status.data = project.status
    if form.validate_on_submit():
        try:
            update_project(db, circle.id, project, listing["labels"], _form_data(form), local_today())
        except CommunityError as exc:
            flash(str(exc), "error")
        else:
            flash("项目已保存。", "info")
            return redirect(url_for(".project", circle_id=circle.id, project_id=project.id))
    status = 422 if request.method == "POST" else 200
    return render_template("community/project_form.html", circle=circle, form=form, project=project,
                           section="projects"), status


def _render_project(circle, project, note_form, status=200):
    db = get_session()
    labels = queries.type_labels(db, circle.id)
    detail = queries.project_detail(db, project, labels)
    return render_template("community/project.html", circle=circle, project=detail, form=note_form,
                           section="projects"), status


@bp.route("/circles/<int:circle_id>/projects/<int:project_id>")
def project(circle_id: int, project_id: int):
    circle = circle_or_404(circle_id)
    project = _project_or_404(circle, project_id)
    form = NoteForm()
    form.noted_on.data = local_today().isoformat()
    return _render_project(circle, project, form)


@bp.route("/circles/<int:circle_id>/projects/<int:project_id>/notes", methods=["POST"])
def add_project_note(circle_id: int, project_id: int):
    circle = circle_or_404(circle_id)
    project = _project_or_404(circle, project_id)
    form = NoteForm()
    if form.validate_on_submit():
        try:
            add_note(get_session(), circle.id, project, parse_date(form.noted_on.data), form.text.data,
                     form.status.data or None, current_user.id)
        except CommunityError as exc:
            form.text.errors = [str(exc)]
        else:
            flash("进展已记录。", "info")
            return redirect(url_for(".project", circle_id=circle.id, project_id=project.id, _anchor="notes"))
    return _render_project(circle, project, form, 422)


@bp.route("/circles/<int:circle_id>/lists.pdf")
def lists_pdf(circle_id: int):
    circle = circle_or_404(circle_id)
    today = local_today()
    document = export.lists_document(get_session(), circle, today)
    return file_response(export.lists_pdf(document), "application/pdf",
                     f"{circle.name}-需求清单与项目清单-{today.isoformat()}.pdf", inline=True)


@bp.route("/circles/<int:circle_id>/lists.xlsx")
def lists_xlsx(circle_id: int):
    circle = circle_or_404(circle_id)
    today = local_today()
    document = export.lists_document(get_session(), circle, today)
    return file_response(export.lists_xlsx(document),
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     f"{circle.name}-需求清单与项目清单-{today.isoformat()}.xlsx")
