"""The city overview: the home page of assessors and admins after signing in."""
from __future__ import annotations

from fractions import Fraction

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from reports.summary_sheet import city_summary_pdf

from ..appsettings.operations import assessor_firm
from ..audit.queries import action_label, recent_entries
from ..db import get_session
from ..downloads import file_response
from ..models.timeutil import utcnow
from ..results.service import default_sample_rate
from ..timezones import local_today
from .export import overview_xlsx
from .queries import ROUND_FILTERS, SORT_LABELS, SURVEY_FILTERS, View, city_overview

bp = Blueprint("overview", __name__, url_prefix="/staff")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _rows():
    return city_overview(get_session(), current_user, utcnow(), sample_rate=default_sample_rate(),
                         too_fast_fraction=Fraction(str(current_app.config["TOO_FAST_FRACTION"])))


@bp.route("/")
def index():
    view = View.from_args(request.args)
    rows = _rows()
    shown = view.apply(rows)
    needing = [row for row in rows if row.attention]
    needing.sort(key=lambda row: row.urgency)
    admin = current_user.role == "admin"
    return render_template("overview/index.html", rows=shown, total=len(rows), needing=needing, view=view,
                           sort_labels=SORT_LABELS, survey_filters=SURVEY_FILTERS, round_filters=ROUND_FILTERS,
                           admin=admin, recent=recent_entries(get_session(), 8) if admin else [],
                           action_label=action_label)


@bp.route("/overview.xlsx")
def xlsx():
    view = View.from_args(request.args)
    rows = view.apply(_rows())
    return file_response(overview_xlsx(rows), XLSX, f"生活圈总览-{local_today().isoformat()}.xlsx")


@bp.route("/overview.pdf")
def pdf():
    """The 汇总表 of every shown circle that has a resident survey, one page each."""
    view = View.from_args(request.args)
    rows = [row for row in view.apply(_rows()) if row.summary is not None]
    sheets = [{"summary": row.summary, "circle": {"name": row.name, "population": row.population},
               "report_number": row.report_number, "questionnaire_title": row.questionnaire_title}
              for row in rows]
    content = city_summary_pdf(sheets, title="生活圈汇总表", assessor=current_user.display_name,
                               issued_on=local_today(), firm=assessor_firm(get_session()))
    return file_response(content, "application/pdf", f"生活圈汇总表-{local_today().isoformat()}.pdf", inline=True)
