"""Staff pages of a campaign's results: the dashboard (sample, indicators, breakdowns,
drivers, demand) and the review of individual responses (exclude / restore)."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from ..auth.access import campaign_or_404
from ..campaigns.qr import public_url
from ..circles.queries import get_circle
from ..db import get_session
from ..models import Response
from ..models.timeutil import utcnow
from ..merchants.queries import campaign_outlets
from ..questionnaire.kinds import survey_kind
from ..questionnaire.registry import questionnaire_by_hash
from ..reporting.routes import issued_reports
from ..responses.operations import ReviewError, exclude_response, restore_response
from ..campaigns.forms import DeviceRuleForm
from .fieldwork import fieldwork_table
from .figures import summary_figures
from .forms import ExcludeForm, RestoreForm
from .review import REVIEW_LIMIT, review_history, review_items
from .service import summary_for

bp = Blueprint("results", __name__, url_prefix="/staff")


@bp.route("/campaigns/<int:campaign_id>")
def dashboard(campaign_id: int):
    """A campaign's page: each survey kind has its own self-contained template (kinds.py)."""
    campaign = campaign_or_404(campaign_id)
    db = get_session()
    kind = survey_kind(campaign.kind)
    summary = summary_for(db, campaign)
    items, truncated = review_items(db, campaign.id, summary["quality"]["too_fast_cutoff_seconds"])
    questionnaire = questionnaire_by_hash(db, campaign.questionnaire_hash)
    return render_template(
        kind.dashboard_template, campaign=campaign, kind=kind, circle=get_circle(db, campaign.circle_id),
        outlets=None if kind.feeds_satisfaction else campaign_outlets(db, campaign),
        summary=summary, figures=summary_figures(summary), questionnaire=questionnaire,
        review=items, review_truncated=truncated, review_limit=REVIEW_LIMIT,
        history=review_history(db, [i.response.id for i in items]),
        exclude_form=ExcludeForm(), restore_form=RestoreForm(), now=utcnow(),
        issued=issued_reports(db, campaign_id=campaign.id),
        url=public_url(current_app.config["BASE_URL"], campaign.token),
        fieldwork=fieldwork_table(db, campaign.id, questionnaire),
        device_rule_form=DeviceRuleForm(answers_per_device=campaign.answers_per_device),
    )


def _response_or_404(response_id: int):
    db = get_session()
    response = db.get(Response, response_id)
    if response is None:
        abort(404)
    campaign_or_404(response.campaign_id)
    return response


def _review(response_id: int, form, act, done: str):
    """Carry out one review decision posted from the dashboard, then go back to it."""
    response = _response_or_404(response_id)
    db = get_session()
    if form.validate_on_submit():
        questionnaire = questionnaire_by_hash(db, response.questionnaire_hash)
        try:
            act(db, questionnaire, response, form)
            flash(f"问卷 #{response.id} {done}。", "info")
        except ReviewError as exc:
            flash(str(exc), "error")
    else:
        flash("；".join(e for errors in form.errors.values() for e in errors), "error")
    return redirect(url_for("results.dashboard", campaign_id=response.campaign_id, _anchor="review"))


@bp.route("/responses/<int:response_id>/exclude", methods=["POST"])
def exclude(response_id: int):
    return _review(response_id, ExcludeForm(), lambda db, q, r, form: exclude_response(
        db, q, r, form.reason.data, form.note.data, current_user.id), "已剔除")


@bp.route("/responses/<int:response_id>/restore", methods=["POST"])
def restore(response_id: int):
    return _review(response_id, RestoreForm(), lambda db, q, r, form: restore_response(
        db, q, r, form.note.data, current_user.id), "已恢复为有效")
