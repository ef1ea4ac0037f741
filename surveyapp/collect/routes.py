"""Public respondent pages: notice → questionnaire (step by step) → thank you.

Every failure a resident can meet (unknown link, not yet open, closed, no answers left on
this phone, an answer to fix, an expired page) gets a page in plain Chinese, and whatever
they typed is kept (in the draft on the server, see answering.py).
"""
from __future__ import annotations

import functools
import secrets

from flask import (
    Blueprint, abort, current_app, make_response, redirect, render_template, request, url_for,
)
from flask_limiter.util import get_remote_address
from limits import parse_many

from ..campaigns.queries import campaign_by_token
from ..db import direct_connection, get_session
from ..extensions import csrf, limiter
from ..models.timeutil import utcnow
from ..questionnaire.kinds import survey_kind
from ..questionnaire.paging import steps_of
from ..questionnaire.registry import loaded_questionnaire, questionnaire_by_hash
from ..questionnaire.timing import counted_questions, estimated_minutes
from .answering import NOT_READ, Answering
from .operations import device_hash, respondent_context

bp = Blueprint("collect", __name__, url_prefix="/s")

DEVICE_COOKIE = "sa_device"
TEXT_SIZE_COOKIE = "sa_text"
COOKIE_YEARS = 2


@functools.cache
def _parsed_limits(text: str) -> tuple:
    return tuple(parse_many(text))


def _campaign_or_page(token: str):
    """The campaign and its context, or a finished response explaining why not."""
    device = request.cookies.get(DEVICE_COOKIE)
    key = request.form.get("submission_key") if request.method == "POST" else None
    found = respondent_context(direct_connection(), current_app.config["SECRET_KEY"], token, device, key)
    if found is None:
        return None, (render_template("collect/unavailable.html", reason="unknown"), 404)
    campaign, circle, given = found.campaign, found.circle, found.given
    state = campaign.state(utcnow())
    if state != "open":
        return None, (render_template("collect/unavailable.html", reason=state, campaign=campaign, circle=circle), 200)
    questionnaire = (loaded_questionnaire(campaign.questionnaire_hash)
                     or questionnaire_by_hash(get_session(), campaign.questionnaire_hash))
    if given >= campaign.answers_per_device:
        return None, (render_template("collect/already.html", circle=circle, campaign=campaign,
                                      kind=survey_kind(campaign.kind),
                                      questionnaire=questionnaire), 200)
    return (campaign, circle, questionnaire, device, found, given), None


def _set_device_cookie(response, device: str):
    response.set_cookie(
        DEVICE_COOKIE, device, max_age=COOKIE_YEARS * 365 * 86400,
        httponly=True, samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response


@bp.route("/<token>")
def notice(token: str):
    found, page = _campaign_or_page(token)
    if page:
        return page
    campaign, circle, questionnaire, device, _respondent, given = found
    html = render_template(
        "collect/notice.html", campaign=campaign, circle=circle, questionnaire=questionnaire,
        minutes=estimated_minutes(questionnaire), question_count=len(counted_questions(questionnaire)),
        step_count=len(steps_of(questionnaire)), given=given,
    )
    response = make_response(html)
    return response if device else _set_device_cookie(response, secrets.token_hex(16))


def _count_submission() -> None:
    """The per-address submit limit (SUBMIT_RATE_LIMIT), counted when a step is posted; the
    error page (429) once it is passed.

    Counted with Flask-Limiter's own strategy and storage (its public ``limiter.limiter``: the
    same window in the same store, shared by every worker), not by decorating the view: the
    decorator goes through the extension's general machinery on every call (about 95 µs per
    post, measured) and a decorated view on every page view too, where this costs a few µs.
    Page views count nothing."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return
    address = get_remote_address()
    for item in _parsed_limits(current_app.config["SUBMIT_RATE_LIMIT"]):
        if not limiter.limiter.hit(item, "collect.answer", address):
            abort(429)


@bp.route("/<token>/answer", methods=["GET", "POST"])
@csrf.exempt  # checked by the engine itself, keeping the answers on failure
def answer(token: str):
    if request.method == "POST":
        _count_submission()
    found, page = _campaign_or_page(token)
    if page:
        return page
    campaign, circle, questionnaire, device, respondent, given = found
    new_device = device is None
    hashed, draft = respondent.device_hash, respondent.draft
    if new_device:
        device = secrets.token_hex(16)
        hashed, draft = device_hash(current_app.config["SECRET_KEY"], campaign, device), None
    answering = Answering(
        campaign=campaign, circle=circle, questionnaire=questionnaire,
        communities=list(respondent.communities), owner=hashed,
        step_url=functools.partial(_step_url, url_for("collect.answer", token=token)),
        device_hash=hashed, device_answers=given, draft=draft,
        stored=respondent.stored if request.method == "POST" else NOT_READ,
        extra_context={"textsize_back": "answer"},
        reuse_pages_for=(_large_text(),),
    )
    if request.method == "GET":
        html, status = answering.show(request.args.get("step", type=int))
        response = make_response(html, status)
    else:
        outcome = answering.take(request.form)
        if outcome.kind == "page":
            response = make_response(*outcome.page)
        elif outcome.kind == "redirect":
            response = redirect(outcome.url, code=303)
        elif outcome.kind == "saved":
            response = make_response("", 204)
        elif outcome.kind == "already":
            response = make_response(render_template("collect/already.html", circle=circle, campaign=campaign,
                                                     kind=survey_kind(campaign.kind),
                                                     questionnaire=questionnaire))
        else:  # stored, now or by an earlier post of the same form
            response = redirect(url_for("collect.thanks", token=token), code=303)
    return _set_device_cookie(response, device) if new_device else response


def _step_url(answer_url: str, step: int | None) -> str:
    """What url_for("collect.answer", token=…, step=step) gives, from the URL without a step
    (built once per request: a step page links to it, and a post redirects to the next)."""
    return answer_url if step is None else f"{answer_url}?step={int(step)}"


@bp.route("/<token>/thanks")
def thanks(token: str):
    found = respondent_context(direct_connection(), current_app.config["SECRET_KEY"], token,
                               request.cookies.get(DEVICE_COOKIE))
    if found is None:
        abort(404)
    campaign, circle, given = found.campaign, found.circle, found.given
    left = campaign.answers_per_device - given if campaign.state(utcnow()) == "open" else 0
    return render_template("collect/thanks.html", circle=circle, campaign=campaign, left=max(left, 0),
                           given=given, kind=survey_kind(campaign.kind))


@bp.route("/<token>/another")
def another(token: str):
    """"为家人再填一份" / "为另一家门店填写": back to the notice for the next answer from this
    device (the campaign's answers-per-device rule decides whether it may)."""
    if campaign_by_token(get_session(), token) is None:
        abort(404)
    return redirect(url_for("collect.notice", token=token))


@bp.route("/<token>/text-size")
def text_size(token: str):
    """Large-text switch that works without JavaScript (old phones)."""
    size = "large" if request.args.get("size") == "large" else "normal"
    target = url_for("collect.notice", token=token)
    if request.args.get("back") == "answer":
        target = url_for("collect.answer", token=token)
    response = redirect(target)
    response.set_cookie(TEXT_SIZE_COOKIE, size, max_age=COOKIE_YEARS * 365 * 86400, samesite="Lax")
    return response


@bp.app_context_processor
def _text_size():
    return {"large_text": _large_text(), "survey_kind": survey_kind}


def _large_text() -> bool:
    return request.cookies.get(TEXT_SIZE_COOKIE) == "large"


@bp.app_template_test("anonymous")
def _is_anonymous(questionnaire) -> bool:
    """Residents answer anonymously; a merchant's answers name their shop (not a person)."""
    return survey_kind(questionnaire.kind).anonymous
