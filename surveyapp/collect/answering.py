"""Filling in a questionnaire step by step: the engine behind the resident's form and the
interviewer's tablet.

One request shows one step, or takes the answers of one step and moves on. The answers of
the steps done so far live in a server-side draft (collect/operations.py), so a resident
who leaves and opens the link again comes back where they were, and nothing typed is lost on
an error. Which questions and steps are shown is decided here, on the server, from the
answers so far: follow-up questions work without JavaScript (survey.js only shows them a
moment earlier). The last step stores the response once, whatever the number of posts of
the same form (its submission key).

What does not depend on the request (the steps, each question's template, its skip-logic
JSON, its folded choice lists, an untouched question's markup, the page of an untouched
step but for its CSRF token and submission key) is computed once and reused.
"""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from flask import render_template, session as web_session
from markupsafe import Markup, escape
from flask_wtf.csrf import ValidationError, generate_csrf, validate_csrf

from ..db import DirectConnection, direct_connection, get_session
from ..models import Campaign, Channel
from ..models.timeutil import utcnow
from ..questionnaire import validate_answers
from ..questionnaire.paging import Step, next_step, previous_step, progress, settle, steps_of, visible_names
from ..responses.operations import AlreadyAnswered, AlreadyStored, NewResponse, needs_session, store_response
from . import operations
from ..memo import ProcessMemo
from .questiontypes import field_name, question_type

#: How much of a question's label names it in the error summary.
SUMMARY_LABEL_CHARS = 18
#: Multiple-choice cards stand two in a row only when every label is this short (a half-width
#: card on a phone holds about six characters a line); otherwise one card a row.
HALF_WIDTH_LABEL_CHARS = 6

_VIEWS = ProcessMemo(64)        # questionnaire hash -> {question name: QuestionView}
_PRISTINE = ProcessMemo(4096)   # (questionnaire hash, question, hidden, communities) -> Markup


@dataclass(frozen=True)
class QuestionView:
    """What the page needs of a question that never changes: built once per questionnaire."""

    template: str
    field: str
    relevant_json: Any
    short_label: str
    #: Static choices (None for the circle's community list, filled per circle).
    first_choices: tuple | None
    more_choices: tuple | None
    #: One card a row (some label too long for half a phone's width).
    wide: bool
    #: The untouched question's markup can be rendered once and reused.
    reusable: bool


def pristine_html(questionnaire, entry: dict, communities: tuple) -> Markup:
    """The markup of a question nobody has answered yet and that carries no message: the
    same template rendered once per questionnaire (and community list, for the dynamic
    list), then reused, so a step page is not rebuilt option by option on every request.
    Escaping is the template's own, as it is rendered by the same template."""
    question = entry["question"]
    key = (questionnaire.content_hash, question.name, entry["hidden"],
           communities if question.dynamic_choices else None)
    html = _PRISTINE.get(key)
    if html is None:
        html = _PRISTINE.remember(key, Markup(render_template("collect/_question.html", item=entry)))
    return html


def question_views(questionnaire) -> dict[str, QuestionView]:
    views = _VIEWS.get(questionnaire.content_hash)
    if views is None:
        views = {}
        for question in questionnaire.questions:
            label = question.label.rstrip("？?：:。 ")
            if len(label) > SUMMARY_LABEL_CHARS:
                label = label[:SUMMARY_LABEL_CHARS] + "…"
            first = more = None
            if question.is_select and not question.dynamic_choices:
                first, more = question.folded_choices()
            views[question.name] = QuestionView(
                template=question_type(question).template_for(question),
                field=field_name(question),
                relevant_json=question.relevant.to_json() if question.relevant is not None else None,
                short_label=label,
                first_choices=first,
                more_choices=more,
                wide=any(len(c.label) > HALF_WIDTH_LABEL_CHARS for c in (question.choices or ())),
                reusable=question_type(question).reusable,
            )
        _VIEWS.remember(questionnaire.content_hash, views)
    return views


#: Pages of untouched steps, by everything they show but the two values of the request.
_PAGES = ProcessMemo(256)
#: Stand-ins for the request's CSRF token and submission key in a page rendered for reuse.
_CSRF_MARK = "csrf" + secrets.token_hex(12)
_KEY_MARK = "key" + secrets.token_hex(12)


def reused_page(page: tuple, template: str, context: dict) -> str:
    """The page of a step nobody has touched (no answer shown, no message), rendered once by
    ``template`` with stand-ins for the two values that differ per request, the CSRF token
    and the submission key, and reused with this request's values put in their place,
    escaped as the template escapes them. ``page``: everything else the page shows (see
    Answering.render), so two requests with the same ``page`` get the same markup."""
    parts = _PAGES.get(page)
    if parts is None:
        html = render_template(template, **{**context, "csrf_token": lambda: _CSRF_MARK, "submission_key": _KEY_MARK})
        head, csrf, rest = html.partition(_CSRF_MARK)
        middle, key, tail = rest.partition(_KEY_MARK)
        if not (csrf and key) or _CSRF_MARK in tail or _KEY_MARK in head + middle + tail:
            return render_template(template, **context)  # not where the page cache expects them
        parts = _PAGES.remember(page, (head, middle, tail))
    return _filled(parts, context["submission_key"])


def cached_page(page: tuple, submission_key: str) -> str | None:
    """reused_page's markup if it is cached already (None if not), without its context."""
    parts = _PAGES.get(page)
    return None if parts is None else _filled(parts, submission_key)


def _filled(parts: tuple[str, str, str], submission_key: str) -> str:
    head, middle, tail = parts
    return f"{head}{escape(generate_csrf())}{middle}{escape(submission_key)}{tail}"


NOT_READ = object()
#: Values of a question nobody has answered (as a draft or a form holds them).
_UNANSWERED = (None, "", [])


@dataclass
class Answering:
    """One respondent (or one interviewer's tablet) answering one campaign."""

    #: The campaign (the resident's pages pass its plain values, operations.PublicCampaign).
    campaign: Campaign | operations.PublicCampaign
    circle: Any
    questionnaire: Any
    communities: list[str]
    #: Draft owner: the keyed hash of the device, or of the interviewer's account.
    owner: str
    #: URL of a step (index from 0); the form posts to step_url(None).
    step_url: Callable[[int | None], str]
    channel: str = Channel.qr.value
    device_hash: str | None = None
    #: Responses this device has already given (its next answer takes slot + 1).
    device_answers: int = 0
    interviewer_id: int | None = None
    #: A question asked alone, first (interviews: where the respondent lives).
    first: str | None = None
    template: str = "collect/form.html"
    extra_context: dict = field(default_factory=dict)
    #: The owner's draft when the caller has read it already (the resident's pages read it
    #: with the campaign); NOT_READ: read here.
    draft: Any = NOT_READ
    #: The response already stored from the posted form's submission key (or None), when the
    #: caller read it with the draft; NOT_READ: read here.
    stored: Any = NOT_READ
    #: Whatever else the template shows that is not passed to it here (the resident's text
    #: size, from a context processor), when the page of a step nobody has touched may be
    #: rendered once and reused (see reused_page: campaign and circle must then be values,
    #: as collect/operations.PublicCampaign); None: every page is rendered anew.
    reuse_pages_for: tuple | None = None

    # --- structure --------------------------------------------------------------------------

    @property
    def steps(self) -> tuple[Step, ...]:
        return steps_of(self.questionnaire, first=self.first)

    @property
    def start_key(self) -> str:
        return f"started:{self.campaign.id}:{self.channel}"

    def _started(self) -> datetime | None:
        started = web_session.get(self.start_key)
        try:
            return datetime.fromisoformat(started) if started else None
        except ValueError:
            return None

    def _draft(self):
        if self.draft is NOT_READ:
            return operations.load_draft(get_session(), self.campaign, self.owner)
        return self.draft

    # --- showing a step ---------------------------------------------------------------------

    def show(self, requested: int | None = None):
        """The page of a step: the draft's current one, or ``requested`` if already reached."""
        draft = self._draft()
        if draft is None:
            web_session.setdefault(self.start_key, utcnow().isoformat())
            answers, current, key = {}, 0, operations.new_submission_key()
        else:
            answers, current, key = dict(draft.answers), draft.step, draft.submission_key
        if requested is not None and 0 <= requested <= current:
            current = requested
        visible = visible_names(self.questionnaire, answers)
        current = settle(self.steps, visible, current)
        return self.render(current, answers, key, visible=visible)

    def render(self, current: int, answers: dict, key: str, errors: dict | None = None, status: int = 200,
               banner: str | None = None, revealed=(), visible: frozenset[str] | None = None):
        """The page of step ``current``; ``visible``: the questions shown given ``answers``,
        when the caller has them already."""
        errors = errors or {}
        steps = self.steps
        if visible is None:
            visible = visible_names(self.questionnaire, answers)
        step = steps[current]
        views = question_views(self.questionnaire)
        communities = tuple(self.communities)
        # The browser shows follow-ups at once; those that depend on an answer given on an
        # earlier step read it from here (hidden questions' answers count as unanswered).
        known = {ref: answers[ref] for question in step.questions if question.relevant is not None
                 for ref in sorted(question.relevant.references())
                 if ref not in step.names and ref in visible and ref in answers}
        position, total = progress(steps, visible, current)
        context = dict(
            campaign=self.campaign, circle=self.circle, questionnaire=self.questionnaire,
            step_index=current, position=position, total=total,
            is_last=next_step(steps, visible, current) is None,
            has_previous=previous_step(steps, visible, current) is not None,
            submission_key=key, known_answers=known, banner=banner, action=self.step_url(None),
            **self.extra_context,
        )
        # A step nobody has touched (no answer on it, no message) is the same page for every
        # phone: looked up before its questions are laid out, and built only the first time.
        untouched = (self.reuse_pages_for is not None and not errors and banner is None and not revealed
                     and all(views[q.name].reusable and answers.get(q.name) in _UNANSWERED for q in step.questions))
        page = None
        if untouched:
            page = (self.template, self.questionnaire.content_hash, self.campaign, self.circle, communities,
                    tuple(sorted(self.extra_context.items())), self.reuse_pages_for, current,
                    tuple(q.name in visible for q in step.questions),
                    json.dumps(known, sort_keys=True, ensure_ascii=False),
                    *(context[name] for name in ("position", "total", "is_last", "has_previous", "action")))
            html = cached_page(page, context["submission_key"])
            if html is not None:
                return html, status
        blocks = []
        for block in step.blocks:
            entries = []
            for question in block.questions:
                view = views[question.name]
                value = answers.get(question.name)
                selected = set(value) if isinstance(value, list) else ({value} if value not in (None, "") else set())
                first, more = view.first_choices, view.more_choices
                if question.dynamic_choices:
                    first, more = question.folded_choices(self.communities)
                entry = {
                    "question": question, "view": view, "hidden": question.name not in visible,
                    "value": "" if value is None or isinstance(value, list) else str(value),
                    "selected": selected, "error": errors.get(question.name),
                    "first": first or (), "more": more or (),
                    "open_more": bool(more) and any(c.name in selected for c in more),
                    "revealed": question.name in revealed, "html": None,
                }
                if view.reusable and not selected and not entry["value"] and not entry["error"] \
                        and not entry["revealed"]:
                    entry["html"] = pristine_html(self.questionnaire, entry, communities)
                entries.append(entry)
            blocks.append({"section": block.section, "entries": entries})
        context["blocks"] = blocks
        context["error_links"] = [(q.name, views[q.name].short_label) for q in step.questions if q.name in errors]
        if page is None:
            return render_template(self.template, **context), status
        return reused_page(page, self.template, context), status

    # --- taking a step's answers ------------------------------------------------------------

    def take(self, form) -> "Outcome":
        """Handle a post of one step; returns what the view should answer."""
        key = form.get("submission_key", "")
        stored = self.stored
        if not operations.SUBMISSION_KEY.match(key):
            key, stored = operations.new_submission_key(), None
        # The draft first, then the stored form: a twin post of this form that is stored
        # in between has deleted the draft, and is then found here (or both come from one
        # statement, see operations.respondent_context).
        draft = self._draft()
        done = operations.stored_submission(get_session(), self.campaign, key) if stored is NOT_READ else stored
        if done is not None:
            return Outcome("stored", response_id=done)
        answers = dict(draft.answers) if draft is not None else {}
        started = draft.started_at if draft is not None else self._started()
        steps = self.steps
        try:
            current = min(max(int(form.get("step", "0")), 0), len(steps) - 1)
        except ValueError:
            current = 0
        earlier = dict(answers)  # as they were before this post (for the questions it reveals)
        for question in steps[current].questions:
            if question.is_note:
                continue
            value = question_type(question).raw_value(form, question)
            if value is None:
                answers.pop(question.name, None)
            else:
                answers[question.name] = value

        try:
            validate_csrf(form.get("csrf_token"))
        except ValidationError:
            banner = "页面停留时间较长，为保护您的信息，请再按一次按钮。您填写的内容都还在。"
            return Outcome("page", page=self.render(current, answers, key, status=400, banner=banner))

        nav = form.get("nav", "next")
        visible = visible_names(self.questionnaire, answers)
        save = lambda step: operations.save_draft(  # noqa: E731
            direct_connection(), self.campaign, self.owner, answers=answers, step=step, submission_key=key, started_at=started)
        if nav == "save":  # the page is being left (survey.js): keep what is typed
            save(current)
            return Outcome("saved")
        if nav == "back":
            target = previous_step(steps, visible, current)
            target = current if target is None else target
            save(target)
            return Outcome("redirect", url=self.step_url(target))

        clean, errors = validate_answers(self.questionnaire, answers, self.communities)
        step_names = steps[current].names
        # Without JavaScript, follow-ups this post makes appear are shown before moving on
        # (with it, the browser has shown them already: nothing to find out).
        revealed = []
        if form.get("js") != "1":
            unanswered = [q.name for q in steps[current].questions
                          if q.name in visible and q.relevant is not None and q.name not in answers]
            if unanswered:
                before = visible_names(self.questionnaire, earlier)
                revealed = [name for name in unanswered if name not in before]
        if revealed:
            save(current)
            banner = "根据您的回答，本页多了几个问题，已用黄色标出，请看一下再继续。"
            return Outcome("page", page=self.render(current, answers, key, banner=banner, revealed=revealed,
                                                    visible=visible))
        step_errors = {name: message for name, message in errors.items() if name in step_names}
        if step_errors:
            save(current)
            return Outcome("page", page=self._errors_page(current, answers, key, step_errors, visible))
        following = next_step(steps, visible, current)
        if self.first is not None and current == 0 and self.screened_out(answers):
            operations.discard_draft(get_session(), self.campaign, self.owner)
            return Outcome("screened_out")
        if following is not None:
            save(following)
            return Outcome("redirect", url=self.step_url(following))
        if errors:  # an earlier step no longer holds (the questionnaire's rules): go back there
            target = next(step.index for step in steps if step.names & set(errors))
            save(target)
            step_errors = {n: m for n, m in errors.items() if n in steps[target].names}
            return Outcome("page", page=self._errors_page(target, answers, key, step_errors, visible))
        return self._store(clean, key, started)

    def screened_out(self, answers: dict) -> bool:
        from ..responses.quality import OUTSIDE_COMMUNITY

        return answers.get(self.first) == OUTSIDE_COMMUNITY

    def _errors_page(self, current, answers, key, errors, visible):
        banner = f"还有 {len(errors)} 处需要补充或修改，已用红色标出："
        return self.render(current, answers, key, errors=errors, status=422, banner=banner, visible=visible)

    def _store(self, clean: dict, key: str, started) -> "Outcome":
        slot = self.device_answers + 1 if self.device_hash else None
        limit = self.campaign.answers_per_device
        while True:
            if slot is not None and slot > limit:
                return Outcome("already")
            # A resident's answer is stored on the request's direct connection (one statement
            # on PostgreSQL); a merchant's also builds an outlet, through the Session.
            connection = (DirectConnection(session=get_session()) if needs_session(self.questionnaire)
                          else direct_connection())
            try:
                response = store_response(connection, self.campaign, self.questionnaire, NewResponse(
                    answers=clean, channel=self.channel, started_at=started,
                    device_hash=self.device_hash, device_slot=slot, submission_key=key,
                    interviewer_id=self.interviewer_id, draft_owner=self.owner,
                ))
            except AlreadyStored as exc:
                return Outcome("stored", response_id=exc.response_id)
            except AlreadyAnswered:
                if slot is None:
                    raise
                # Another answer from this device took the slot a moment ago: take the next.
                following = operations.answers_from_device(get_session(), self.campaign, self.device_hash) + 1
                if following <= slot:
                    raise
                slot = following
                continue
            web_session.pop(self.start_key, None)
            return Outcome("stored", response_id=response.id, new=True)


@dataclass
class Outcome:
    """What a post came to: ``page`` (show it), ``redirect``, ``saved`` (nothing to show),
    ``stored`` (done, maybe before), ``already`` (the device has no answers left) or
    ``screened_out`` (an interviewee who does not live in the circle)."""

    kind: str
    page: tuple | None = None
    url: str | None = None
    response_id: int | None = None
    new: bool = False
