"""Public respondent pages: notice → questionnaire → thank you.

Every failure a resident can meet (unknown link, not yet open, closed, already answered,
an answer to fix, an expired page) gets a page in plain Chinese, and whatever they typed
is kept on the page.
"""
from __future__ import annotations

import secrets
from datetime import datetime

from flask import (
    Blueprint, abort, current_app, make_response, redirect, render_template, request, session, url_for,
)

from ..campaigns.queries import campaign_by_token
from ..circles.queries import community_choices, get_circle
from ..db import get_session
from ..extensions import csrf, limiter
from ..models.timeutil import utcnow
from ..questionnaire import validate_answers, visible_questions
from ..questionnaire.kinds import survey_kind
from ..questionnaire.registry import questionnaire_by_hash
from .forms import attach_errors, build_answer_form, field_name, raw_answers
from ..responses.operations import AlreadyAnswered, NewResponse, record_response
from .operations import device_hash, has_answered
from .questiontypes import question_type

bp = Blueprint("collect", __name__, url_prefix="/s")

DEVICE_COOKIE = "sa_device"
TEXT_SIZE_COOKIE = "sa_text"
#: For kinds where one device may answer for several units (a merchant with a second shop):
#: which unit this device is answering for now (0 = the first), one cookie per campaign.
UNIT_COOKIE = "sa_unit_{}"
MAX_UNITS = 20
COOKIE_YEARS = 2


def _unit(campaign) -> int:
    """The unit this device answers for (always 0 for kinds answered once per device)."""
    if not survey_kind(campaign.kind).several_per_device:
        return 0
    raw = request.cookies.get(UNIT_COOKIE.format(campaign.id), "0")
    return min(int(raw), MAX_UNITS) if raw.isdigit() else 0


def _device_key(campaign, device: str) -> str:
    """The device id hashed for the one-answer-per-device rule: per unit when the kind allows several."""
    unit = _unit(campaign)
    return device if unit == 0 else f"{device}#unit{unit}"


def _submit_limit() -> str:
    return current_app.config["SUBMIT_RATE_LIMIT"]


def _campaign_or_page(token: str):
    """The campaign and its context, or a finished response explaining why not."""
    db = get_session()
    campaign = campaign_by_token(db, token)
    if campaign is None:
        return None, (render_template("collect/unavailable.html", reason="unknown"), 404)
    circle = get_circle(db, campaign.circle_id)
    state = campaign.state(utcnow())
    if state != "open":
        return None, (render_template("collect/unavailable.html", reason=state, campaign=campaign, circle=circle), 200)
    questionnaire = questionnaire_by_hash(db, campaign.questionnaire_hash)
    device = request.cookies.get(DEVICE_COOKIE)
    hashed = device_hash(current_app.config["SECRET_KEY"], campaign, _device_key(campaign, device)) if device else None
    if has_answered(db, campaign, hashed):
        return None, (render_template("collect/already.html", circle=circle, questionnaire=questionnaire,
                                      kind=survey_kind(campaign.kind), campaign=campaign), 200)
    return (campaign, circle, questionnaire, device), None


def _with_device_cookie(response, device: str | None):
    if not device:
        response.set_cookie(
            DEVICE_COOKIE, secrets.token_hex(16), max_age=COOKIE_YEARS * 365 * 86400,
            httponly=True, samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response


def _start_key(campaign) -> str:
    return f"started:{campaign.id}"


@bp.route("/<token>")
def notice(token: str):
    found, page = _campaign_or_page(token)
    if page:
        return page
    campaign, circle, questionnaire, device = found
    html = render_template("collect/notice.html", campaign=campaign, circle=circle, questionnaire=questionnaire)
    return _with_device_cookie(make_response(html), device)


def _render_form(form, campaign, circle, questionnaire, communities, status=200, banner=None, error_names=()):
    questions = []
    visible = {q.name for q in visible_questions(questionnaire, raw_answers(form, questionnaire))}
    for section in questionnaire.sections:
        items = []
        for question in section.questions:
            name = field_name(question)
            items.append({
                "question": question,
                "field": form[name] if name in form else None,
                "template": question_type(question).template,
                "hidden": question.name not in visible,
                "relevant_json": question.relevant.to_json() if question.relevant is not None else None,
            })
        questions.append({"section": section, "entries": items})
    html = render_template(
        "collect/form.html", form=form, campaign=campaign, circle=circle, questionnaire=questionnaire,
        sections=questions, banner=banner, error_names=list(error_names),
    )
    return html, status


@bp.route("/<token>/answer", methods=["GET", "POST"])
@csrf.exempt  # checked by the form itself, keeping the answers on failure
@limiter.limit(_submit_limit, methods=["POST"])
def answer(token: str):
    found, page = _campaign_or_page(token)
    if page:
        return page
    campaign, circle, questionnaire, device = found
    db = get_session()
    communities = community_choices(db, circle.id)
    form = build_answer_form(questionnaire, communities)()

    if request.method == "GET":
        session.setdefault(_start_key(campaign), utcnow().isoformat())
        html, status = _render_form(form, campaign, circle, questionnaire, communities)
        return _with_device_cookie(make_response(html, status), device)

    if not form.validate():  # only CSRF can fail here
        banner = "页面停留时间较长，为保护您的信息，请再按一次“提交”。您填写的内容都还在。"
        html, status = _render_form(form, campaign, circle, questionnaire, communities, status=400, banner=banner)
        return make_response(html, status)

    clean, errors = validate_answers(questionnaire, raw_answers(form, questionnaire), communities)
    if errors:
        attach_errors(form, errors)
        ordered = [q.name for q in questionnaire.questions if q.name in errors]
        banner = f"还有 {len(errors)} 处需要补充或修改，已用红色标出。"
        html, status = _render_form(
            form, campaign, circle, questionnaire, communities, status=422, banner=banner, error_names=ordered,
        )
        return make_response(html, status)

    if not device:
        device = secrets.token_hex(16)
    started = session.pop(_start_key(campaign), None)
    try:
        record_response(db, campaign, questionnaire, NewResponse(
            answers=clean,
            device_hash=device_hash(current_app.config["SECRET_KEY"], campaign, _device_key(campaign, device)),
            started_at=datetime.fromisoformat(started) if started else None,
        ))
    except AlreadyAnswered:
        return render_template("collect/already.html", circle=circle, questionnaire=questionnaire,
                               kind=survey_kind(campaign.kind), campaign=campaign)
    response = redirect(url_for("collect.thanks", token=token))
    response.set_cookie(
        DEVICE_COOKIE, device, max_age=COOKIE_YEARS * 365 * 86400,
        httponly=True, samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response


@bp.route("/<token>/thanks")
def thanks(token: str):
    db = get_session()
    campaign = campaign_by_token(db, token)
    if campaign is None:
        abort(404)
    circle = get_circle(db, campaign.circle_id)
    return render_template("collect/thanks.html", circle=circle, kind=survey_kind(campaign.kind), campaign=campaign)


@bp.route("/<token>/another")
def another(token: str):
    """A merchant who runs a second shop answers again, for that shop: the device moves on to
    its next unit. Kinds answered once per device ignore this and show the notice."""
    db = get_session()
    campaign = campaign_by_token(db, token)
    if campaign is None:
        abort(404)
    response = redirect(url_for("collect.notice", token=token))
    if survey_kind(campaign.kind).several_per_device:
        response.set_cookie(UNIT_COOKIE.format(campaign.id), str(min(_unit(campaign) + 1, MAX_UNITS)),
                            max_age=COOKIE_YEARS * 365 * 86400, httponly=True, samesite="Lax",
                            secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


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
    return {"large_text": request.cookies.get(TEXT_SIZE_COOKIE) == "large"}


@bp.app_template_test("anonymous")
def _is_anonymous(questionnaire) -> bool:
    """Residents answer anonymously; a merchant's answers name their shop (not a person)."""
    return survey_kind(questionnaire.kind).anonymous
