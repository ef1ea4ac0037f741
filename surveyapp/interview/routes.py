"""访员模式 pages: the campaigns to interview for, the questionnaire, and "saved, next one"."""
from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth.access import campaign_or_404
from ..auth.users import visible_circle_ids
from ..circles.queries import community_choices, get_circle
from ..collect.answering import Answering
from ..collect.operations import interviewer_owner
from ..db import get_session
from ..extensions import csrf
from ..models import Channel
from ..models.timeutil import utcnow
from ..questionnaire.registry import questionnaire_by_hash
from ..responses.quality import COMMUNITY_QUESTION
from .queries import answers_taken, open_campaigns

bp = Blueprint("interview", __name__, url_prefix="/staff/interview")


def _today_start() -> datetime:
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    return datetime.combine(datetime.now(zone).date(), time(0), tzinfo=zone)


@bp.route("/")
def index():
    db = get_session()
    rows = open_campaigns(db, visible_circle_ids(db, current_user), utcnow())
    return render_template("interview/index.html", rows=rows)


def _context(campaign):
    db = get_session()
    return get_circle(db, campaign.circle_id), questionnaire_by_hash(db, campaign.questionnaire_hash)


@bp.route("/<int:campaign_id>", methods=["GET", "POST"])
@csrf.exempt  # checked by the engine itself, keeping the answers on failure
def answer(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    circle, questionnaire = _context(campaign)
    if campaign.state(utcnow()) != "open":
        return render_template("interview/closed.html", campaign=campaign, circle=circle), 200
    db = get_session()
    taken = answers_taken(db, campaign.id, current_user.id, _today_start())
    answering = Answering(
        campaign=campaign, circle=circle, questionnaire=questionnaire,
        communities=community_choices(db, circle.id),
        owner=interviewer_owner(current_app.config["SECRET_KEY"], campaign, current_user.id),
        step_url=lambda step: url_for("interview.answer", campaign_id=campaign.id, step=step),
        channel=Channel.interview.value, interviewer_id=current_user.id, first=COMMUNITY_QUESTION,
        template="interview/form.html", extra_context={"taken": taken},
    )
    if request.method == "GET":
        return make_response(*answering.show(request.args.get("step", type=int)))
    outcome = answering.take(request.form)
    if outcome.kind == "page":
        return make_response(*outcome.page)
    if outcome.kind == "redirect":
        return redirect(outcome.url, code=303)
    if outcome.kind == "saved":
        return make_response("", 204)
    if outcome.kind == "screened_out":
        return redirect(url_for("interview.saved", campaign_id=campaign.id, outside=1), code=303)
    return redirect(url_for("interview.saved", campaign_id=campaign.id), code=303)


@bp.route("/<int:campaign_id>/saved")
def saved(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    circle, questionnaire = _context(campaign)
    taken = answers_taken(get_session(), campaign.id, current_user.id, _today_start())
    return render_template("interview/saved.html", campaign=campaign, circle=circle, questionnaire=questionnaire,
                           taken=taken, outside=request.args.get("outside") == "1")
