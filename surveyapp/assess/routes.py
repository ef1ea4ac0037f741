from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask import Response as HttpResponse
from flask_login import current_user

from ..auth.access import campaign_or_404, assessors_only
from ..auth.users import visible_circle_ids
from ..campaigns.qr import public_url, qr_png, qr_svg
from ..campaigns.queries import campaign_rows
from ..circles.queries import get_circle
from ..db import get_session
from ..models import Response
from ..models.timeutil import utcnow
from ..questionnaires import questionnaire_by_hash
from ..responses.operations import ReviewError, exclude_response, restore_response
from ..results.figures import summary_figures
from ..results.review import REVIEW_LIMIT, review_history, review_items
from ..results.service import summary_for
from ..reporting.routes import issued_reports
from .forms import ExcludeForm, RestoreForm

bp = Blueprint("assess", __name__, url_prefix="/staff")


assessors_only(bp)


@bp.route("/")
@bp.route("/campaigns")
def campaigns():
    db = get_session()
    rows = campaign_rows(db, visible_circle_ids(db, current_user))
    base = current_app.config["BASE_URL"]
    samples = {row.campaign.id: summary_for(db, row.campaign, detail=False)["sample"] for row in rows}
    return render_template(
        "assess/campaigns.html", rows=rows, now=utcnow(), samples=samples,
        links={row.campaign.id: public_url(base, row.campaign.token) for row in rows},
    )


@bp.route("/campaigns/<int:campaign_id>/qr.<kind>")
def campaign_qr(campaign_id: int, kind: str):
    campaign = campaign_or_404(campaign_id)
    url = public_url(current_app.config["BASE_URL"], campaign.token)
    if kind == "svg":
        body, mimetype = qr_svg(url), "image/svg+xml"
    elif kind == "png":
        body, mimetype = qr_png(url), "image/png"
    else:
        abort(404)
    return HttpResponse(
        body, mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="campaign-{campaign.id}-qr.{kind}"'},
    )


@bp.route("/campaigns/<int:campaign_id>")
def dashboard(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    db = get_session()
    summary = summary_for(db, campaign)
    items, truncated = review_items(db, campaign.id, summary["quality"]["too_fast_cutoff_seconds"])
    questionnaire = questionnaire_by_hash(db, campaign.questionnaire_hash)
    return render_template(
        "assess/dashboard.html", campaign=campaign, circle=get_circle(db, campaign.circle_id),
        summary=summary, figures=summary_figures(summary), questionnaire=questionnaire,
        review=items, review_truncated=truncated, review_limit=REVIEW_LIMIT,
        history=review_history(db, [i.response.id for i in items]),
        exclude_form=ExcludeForm(), restore_form=RestoreForm(), now=utcnow(),
        issued=issued_reports(db, campaign_id=campaign.id),
        url=public_url(current_app.config["BASE_URL"], campaign.token),
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
    return redirect(url_for("assess.dashboard", campaign_id=response.campaign_id, _anchor="review"))


@bp.route("/responses/<int:response_id>/exclude", methods=["POST"])
def exclude(response_id: int):
    return _review(response_id, ExcludeForm(), lambda db, q, r, form: exclude_response(
        db, q, r, form.reason.data, form.note.data, current_user.id), "已剔除")


@bp.route("/responses/<int:response_id>/restore", methods=["POST"])
def restore(response_id: int):
    return _review(response_id, RestoreForm(), lambda db, q, r, form: restore_response(
        db, q, r, form.note.data, current_user.id), "已恢复为有效")
