"""The audit log for admins: browse, filter, page through, export. Read only: there is no
page, form or endpoint that changes an entry."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..circles.queries import visible_circles
from ..db import get_session
from ..downloads import file_response
from ..timezones import local, local_today
from .export import audit_csv, audit_xlsx
from .forms import AuditFilterForm
from .queries import (EXPORT_LIMIT, PAGE_SIZE, TIME_FORMAT, Filters, action_label, changes, circle_names,
                      entries_for_export, entries_page, known_actions, target_label)

bp = Blueprint("audit", __name__, url_prefix="/staff/audit")


def _form() -> tuple[AuditFilterForm, Filters | None]:
    """The filter form from the query string, and the filters (None when a field is wrong)."""
    db = get_session()
    form = AuditFilterForm(request.args)
    form.action.choices = [SelectChoice("", "全部"),
                           *(SelectChoice(code, f"{action_label(code)}（{code}）") for code in known_actions(db))]
    form.circle.choices = [SelectChoice("", "全部"),
                           *(SelectChoice(str(c.id), c.name) for c in visible_circles(db, current_user))]
    if request.args and not form.validate():
        return form, None
    return form, Filters(actor=(form.actor.data or "").strip(), action=form.action.data or "",
                         circle_id=int(form.circle.data) if form.circle.data else None,
                         target=(form.target.data or "").strip(), date_from=form.date_from.data,
                         date_to=form.date_to.data)


def _query_args(**changes) -> dict:
    args = {key: value for key, value in request.args.items() if value}
    args.update(changes)
    return {key: value for key, value in args.items() if value not in ("", None)}


@bp.route("")
def index():
    form, filters = _form()
    page = request.args.get("page", "1")
    page = min(int(page), 100_000) if page.isdigit() and int(page) > 0 else 1
    entries, total = [], 0
    if filters is not None:
        entries, total = entries_page(get_session(), filters, current_app.config["TIMEZONE"], page)
    pages = max(1, -(-total // PAGE_SIZE))
    names = circle_names(get_session(), entries)
    return render_template("audit/index.html", form=form, entries=entries, total=total, page=page, pages=pages,
                           changes=lambda entry: changes(entry, names), action_label=action_label, target_label=target_label,
                           query_args=_query_args, export_limit=EXPORT_LIMIT), 422 if filters is None else 200


def _export(kind: str):
    form, filters = _form()
    if filters is None:
        return index()
    entries = entries_for_export(get_session(), filters, current_app.config["TIMEZONE"])
    names = circle_names(get_session(), entries)
    when = lambda entry: local(entry.at, TIME_FORMAT)  # noqa: E731
    name = f"操作记录-{local_today().isoformat()}"
    if kind == "xlsx":
        return file_response(audit_xlsx(entries, when, names),
                             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", f"{name}.xlsx")
    return file_response(audit_csv(entries, when, names), "text/csv; charset=utf-8", f"{name}.csv")


@bp.route("/export.xlsx")
def export_xlsx():
    return _export("xlsx")


@bp.route("/export.csv")
def export_csv():
    return _export("csv")
