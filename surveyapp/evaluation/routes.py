from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlmodel import select

from ..auth.access import circle_or_404, evaluation_or_404
from ..circles.queries import visible_circles
from ..db import get_session
from ..models.timeutil import utcnow
from ..questionnaire.kinds import satisfaction_kinds, survey_kind
from ..timezones import local
from . import states
from .completeness import gaps
from .facts_input import parse_fact
from .operations import (EvaluationError, IncompleteEvaluation, back_to_draft, confirm_open_campaign,
                         correction_of, delete_draft, mark_ready, open_evaluation, require_editable, save_facts,
                         save_inventory, save_self_presence, set_campaign, start_correction, withdraw)
from .registry import UnknownRules, available_rules, current_rules, rules_by_hash
from .rules import RulesError
from .service import circle_history, evaluation_sheet, inventory_rows
from ..merchants.queries import fact_suggestions, presence_suggestions
from ..locations.inventory import with_walk_coverage
from ..locations.queries import circle_coverage
from ..models import Campaign, Circle, Evaluation, IndicatorEntry
from ..reporting.routes import issued_reports
from ..community import needs_suggestion
from .forms import CampaignForm, ConfirmForm, NewEvaluationForm, ReasonForm, indicator_form, inventory_form

bp = Blueprint("evaluation", __name__, url_prefix="/staff")


def _optional_points(text: str, limit: float) -> float | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError as exc:
        raise EvaluationError("自评分应为数字") from exc
    if not 0 <= value <= limit:
        raise EvaluationError(f"自评分应在 0 到 {limit:g} 之间")
    return value


@bp.route("/circles")
def circles():
    return render_template("evaluation/circles.html", circles=visible_circles(get_session(), current_user))


def rounds_using_campaigns(db, circle_id: int, except_evaluation_id: int | None = None) -> dict[int, list[int]]:
    """Campaign id → the rounds of the circle that score from it (withdrawn and corrected rounds
    aside: their survey is free to be used again, e.g. by the correction), leaving out the
    round ``except_evaluation_id`` (a round's own survey is not "used by another round")."""
    query = select(Evaluation.campaign_id, Evaluation.round).where(
        Evaluation.circle_id == circle_id, Evaluation.campaign_id.is_not(None),
        Evaluation.state.not_in((states.WITHDRAWN, states.CORRECTED)))
    if except_evaluation_id is not None:
        query = query.where(Evaluation.id != except_evaluation_id)
    used: dict[int, list[int]] = {}
    for campaign_id, round_number in db.exec(query).all():
        used.setdefault(campaign_id, []).append(round_number)
    return {campaign_id: sorted(rounds) for campaign_id, rounds in used.items()}


def resident_campaigns(db, circle_id: int, used: dict[int, list[int]] | None = None) -> list[Campaign]:
    """The campaigns that may feed #2/#3 (resident surveys of the circle): closed ones first,
    newest first, then those still open; surveys another round already scores from come last,
    so the default choice for a new round is never the previous round's survey."""
    now = utcnow()
    used = used or {}
    campaigns = db.exec(select(Campaign).where(Campaign.circle_id == circle_id,
                                               Campaign.kind.in_(satisfaction_kinds()))).all()
    closed = sorted((c for c in campaigns if c.state(now) == "closed"),
                    key=lambda c: (c.closes_at or c.opens_at, c.id), reverse=True)
    running = sorted((c for c in campaigns if c.state(now) != "closed"), key=lambda c: c.id, reverse=True)
    ordered = closed + running
    return [c for c in ordered if c.id not in used] + [c for c in ordered if c.id in used]


def campaign_choices(db, circle_id: int, evaluation_id: int | None = None) -> list[tuple[str, str]]:
    """The survey selector's options, each saying when the survey ran, whether it is still open
    and which other round already scores from it."""
    now = utcnow()
    used = rounds_using_campaigns(db, circle_id, except_evaluation_id=evaluation_id)
    choices = []
    for c in resident_campaigns(db, circle_id, used):
        status = {"closed": "已结束", "open": "进行中", "not_yet_open": "未开始"}[c.state(now)]
        period = local(c.opens_at) + (" 至 " + local(c.closes_at) if c.closes_at else " 起")
        rounds = "、".join(f"第 {r} 轮" for r in used.get(c.id, ()))
        choices.append((str(c.id), f"#{c.id} {survey_kind(c.kind).label} {period} · {status}"
                                   + (f"（已用于{rounds}）" if rounds else "")))
    return choices + [("", "暂不关联（以后在评分表上选择）")]


@bp.route("/circles/<int:circle_id>", methods=["GET", "POST"])
def circle(circle_id: int):
    """The circle's rounds, and opening a new one: choose its survey, then confirm."""
    circle = circle_or_404(circle_id)
    db = get_session()
    campaigns = db.exec(select(Campaign).where(Campaign.circle_id == circle.id).order_by(Campaign.id.desc())).all()
    form = NewEvaluationForm()
    form.campaign.choices = campaign_choices(db, circle.id)
    form.rules.choices = [(name, name) for name in available_rules()]
    if request.method == "GET":
        form.rules.data = current_app.config["DEFAULT_RULES"]
        form.campaign.data = form.campaign.choices[0][0]
    history = circle_history(db, circle)
    confirming = None
    if form.validate_on_submit():
        campaign = next((c for c in campaigns if str(c.id) == form.campaign.data), None)
        if form.confirmed.data != "yes":
            confirming = {"campaign": campaign, "rules": form.rules.data,
                          "round": max((h["round"] for h in history), default=0) + 1,
                          "campaign_label": dict(form.campaign.choices).get(form.campaign.data, "")}
        else:
            try:
                rules = current_rules(form.rules.data)
                evaluation = open_evaluation(db, circle, rules, campaign, user_id=current_user.id)
            except (UnknownRules, RulesError, EvaluationError) as exc:
                flash(f"无法开始评价：{exc}", "error")
            else:
                flash(f"已开始第 {evaluation.round} 轮评价（草稿）。", "info")
                return redirect(url_for("evaluation.sheet", evaluation_id=evaluation.id))
    return render_template("evaluation/circle.html", circle=circle, campaigns=campaigns, history=history, form=form,
                           confirming=confirming)


@bp.route("/evaluations/<int:evaluation_id>")
def sheet(evaluation_id: int):
    evaluation = evaluation_or_404(evaluation_id)
    db = get_session()
    state = states.state(evaluation.state)
    missing = gaps(db, evaluation, utcnow()) if state.editable else []
    campaign_form = None
    if state.editable:
        campaign_form = CampaignForm()
        campaign_form.campaign.choices = campaign_choices(db, evaluation.circle_id, evaluation.id)
        campaign_form.campaign.data = str(evaluation.campaign_id or "")
        campaign_form.confirm_open.data = evaluation.campaign_open_confirmed
    campaign = db.get(Campaign, evaluation.campaign_id) if evaluation.campaign_id else None
    return render_template("evaluation/sheet.html", evaluation=evaluation, sheet=evaluation_sheet(db, evaluation),
                           issued=issued_reports(db, evaluation_id=evaluation.id), state=state, missing=missing,
                           campaign_form=campaign_form, campaign=campaign,
                           campaign_state=campaign.state(utcnow()) if campaign else None,
                           correction=correction_of(db, evaluation) if evaluation.state == states.ISSUED else None)


def _back(evaluation, anchor: str | None = None):
    return redirect(url_for("evaluation.sheet", evaluation_id=evaluation.id, _anchor=anchor))


@bp.route("/evaluations/<int:evaluation_id>/campaign", methods=["POST"])
def campaign(evaluation_id: int):
    """Link the round's resident campaign, and confirm (or not) issuing from an open one."""
    evaluation = evaluation_or_404(evaluation_id)
    db = get_session()
    form = CampaignForm()
    form.campaign.choices = campaign_choices(db, evaluation.circle_id, evaluation.id)
    if form.validate_on_submit():
        chosen = None
        if form.campaign.data:
            chosen = db.get(Campaign, int(form.campaign.data)) if form.campaign.data.isdigit() else None
            if chosen is None or chosen.circle_id != evaluation.circle_id:
                abort(404)
        try:
            if chosen is None or chosen.id != evaluation.campaign_id:
                set_campaign(db, evaluation, chosen)
            confirm_open_campaign(db, evaluation, bool(form.confirm_open.data))
        except EvaluationError as exc:
            flash(str(exc), "error")
        else:
            flash("满意度指标的问卷调查已保存。", "info")
    return _back(evaluation, "survey")


@bp.route("/evaluations/<int:evaluation_id>/ready", methods=["POST"])
def ready(evaluation_id: int):
    """草稿 → 待签发, or back; an incomplete round lands on the check list."""
    evaluation = evaluation_or_404(evaluation_id)
    db = get_session()
    try:
        if request.form.get("to") == "draft":
            back_to_draft(db, evaluation)
            flash("已退回草稿。", "info")
        else:
            mark_ready(db, evaluation)
            flash("已提交待签发：请预览报告并签发。", "info")
            return redirect(url_for("reporting.issue_page", evaluation_id=evaluation.id))
    except IncompleteEvaluation as exc:
        flash(f"还不完整：缺少 {len(exc.gaps)} 项，见下方清单。", "error")
        return redirect(url_for("reporting.issue_page", evaluation_id=evaluation.id))
    except EvaluationError as exc:
        flash(str(exc), "error")
    return _back(evaluation)


def _life_page(evaluation_id: int, form, action: str, act):
    """A move of the round's life that asks first (delete, withdraw, correct): the page with its
    form; on a valid POST ``act(db, evaluation, form)`` returns where to go next, and a refused
    move goes back to the sheet with its message."""
    evaluation = evaluation_or_404(evaluation_id)
    if form.validate_on_submit():
        try:
            return act(get_session(), evaluation, form)
        except EvaluationError as exc:
            flash(str(exc), "error")
            return _back(evaluation)
    return render_template("evaluation/life.html", evaluation=evaluation, form=form, action=action,
                           state=states.state(evaluation.state)), (422 if form.errors else 200)


@bp.route("/evaluations/<int:evaluation_id>/delete", methods=["GET", "POST"])
def delete(evaluation_id: int):
    def act(db, evaluation, form):
        circle_id = evaluation.circle_id
        delete_draft(db, evaluation)
        flash("评价草稿已删除。", "info")
        return redirect(url_for("evaluation.circle", circle_id=circle_id))
    return _life_page(evaluation_id, ConfirmForm(), "delete", act)


@bp.route("/evaluations/<int:evaluation_id>/withdraw", methods=["GET", "POST"])
def withdraw_page(evaluation_id: int):
    def act(db, evaluation, form):
        withdraw(db, evaluation, form.reason.data)
        flash("报告已撤回；原文件仍可下载，并标明已撤回。", "info")
        return _back(evaluation, "reports")
    return _life_page(evaluation_id, ReasonForm(), "withdraw", act)


@bp.route("/evaluations/<int:evaluation_id>/correct", methods=["GET", "POST"])
def correct(evaluation_id: int):
    """Start a correction: a draft copy of the issued round, issued later under a new number."""
    def act(db, evaluation, form):
        draft = start_correction(db, evaluation, form.reason.data, user_id=current_user.id)
        flash("已建立更正稿：修改后签发，新报告将注明它取代的原报告。", "info")
        return redirect(url_for("evaluation.sheet", evaluation_id=draft.id))
    return _life_page(evaluation_id, ReasonForm(), "correct", act)


@bp.route("/evaluations/<int:evaluation_id>/inventory", methods=["GET", "POST"])
def inventory(evaluation_id: int):
    evaluation = evaluation_or_404(evaluation_id)
    db = get_session()
    if not _editable_or_flash(evaluation):
        return _back(evaluation, "presence")
    rules = rules_by_hash(db, evaluation.rules_hash)
    rows = _with_outlet_suggestions(inventory_rows(db, evaluation, rules),
                                    presence_suggestions(db, evaluation.circle_id))
    rows = with_walk_coverage(rows, circle_coverage(db, evaluation.circle_id, evaluation=evaluation))
    form = inventory_form(rules, rows, evaluation.self_presence_points)()
    errors = []
    if form.validate_on_submit():
        entries = {}
        for row in rows:
            code = row["code"]
            outlets = (form[f"outlets_{code}"].data or "").strip()
            if outlets and not outlets.isdigit():
                form[f"outlets_{code}"].errors = ["请填写整数"]
                errors.append(row["label"])
                continue
            present = form[f"present_{code}"].data or bool(outlets and int(outlets) > 0)
            evidence = form[f"evidence_{code}"].data or ""
            if present or evidence:
                entries[code] = {"present": present, "outlets": int(outlets or 0), "evidence": evidence}
                if row["suggested"] and present and int(outlets or 0) == row["suggested"] and not row["walk_blocked"]:
                    entries[code]["source"] = "merchant"  # the inventory's count, accepted as it was
        try:
            self_points = _optional_points(form.self_points.data, 100)
        except EvaluationError as exc:
            form.self_points.errors = [str(exc)]
            errors.append("自评分")
        if not errors:
            try:
                save_inventory(db, evaluation, rules, entries)
                save_self_presence(db, evaluation, self_points)
            except EvaluationError as exc:
                flash(str(exc), "error")
            else:
                flash("业态清单已保存。", "info")
                return redirect(url_for("evaluation.sheet", evaluation_id=evaluation.id, _anchor="presence"))
    return render_template("evaluation/inventory.html", evaluation=evaluation, rules=rules, rows=rows, form=form,
                           errors=errors), (422 if errors else 200)


@bp.route("/evaluations/<int:evaluation_id>/indicators/<key>", methods=["GET", "POST"])
def indicator(evaluation_id: int, key: str):
    evaluation = evaluation_or_404(evaluation_id)
    db = get_session()
    rules = rules_by_hash(db, evaluation.rules_hash)
    if key not in rules.indicator_keys:
        abort(404)
    if not _editable_or_flash(evaluation):
        return _back(evaluation, f"i-{key}")
    fields = rules.indicator_fields(key)
    entry = db.get(IndicatorEntry, (evaluation.id, key))
    names = {field.name for field in fields}
    suggestions = {name: s for name, s in fact_suggestions(db, evaluation.circle_id).get(key, {}).items()
                   if name in names}
    # A form never saved starts from the suggestions; once saved, the assessor's values stand.
    defaults = entry.facts if entry else {name: s.value for name, s in suggestions.items()}
    form = indicator_form(fields, defaults, entry.self_points if entry else None,
                          entry.note if entry else "", bool(entry and entry.not_applicable))()
    spec = rules.indicator(key)
    problems = []
    if form.validate_on_submit():
        facts = {}
        not_applicable = bool(form.not_applicable.data)
        if not_applicable and not (form.note.data or "").strip():
            form.note.errors = ["标为不适用时请在这里写明理由"]
            problems.append("不适用的理由")
        for field in fields if not not_applicable else ():
            try:
                value = parse_fact(field, form[f"fact_{field.name}"].data)
            except ValueError as exc:
                form[f"fact_{field.name}"].errors = [str(exc)]
                problems.append(field.label)
                continue
            if value is not None:
                facts[field.name] = value
        try:
            self_points = _optional_points(form.self_points.data, float(spec.max_points))
        except EvaluationError as exc:
            form.self_points.errors = [str(exc)]
            problems.append("自评分")
        if not problems:
            circle = db.get(Circle, evaluation.circle_id)
            try:
                save_facts(db, evaluation, rules, key, facts, self_points, form.note.data, current_user.id,
                           city_tier=circle.city_tier, not_applicable=not_applicable,
                           suggested={name: s.to_dict() for name, s in suggestions.items()})
            except EvaluationError as exc:
                flash(str(exc), "error")
                problems.append(str(exc))
            else:
                flash(f"“{spec.label}”已保存。", "info")
                return redirect(url_for("evaluation.sheet", evaluation_id=evaluation.id, _anchor=f"i-{key}"))
    shown = {field.name: {"text": _suggestion_text(field, suggestions[field.name].value),
                          "source": suggestions[field.name].source,
                          "same": entry is not None and entry.facts.get(field.name) == suggestions[field.name].value}
             for field in fields if field.name in suggestions}
    community = needs_suggestion(db, evaluation.circle_id) if key == "needs" else None
    return render_template("evaluation/indicator.html", evaluation=evaluation, spec=spec, fields=fields, form=form,
                           problems=problems, suggestions=shown, needs_suggestion=community,
                           outlets_url=url_for("merchants.index", circle_id=evaluation.circle_id)), \
        (422 if problems else 200)


def _editable_or_flash(evaluation) -> bool:
    try:
        require_editable(evaluation)
    except EvaluationError as exc:
        flash(str(exc), "error")
        return False
    return True


def _with_outlet_suggestions(rows: list[dict], counts: dict[str, int]) -> list[dict]:
    """Each inventory row gets ``suggested``: the outlet inventory's count of that type. While
    the round's inventory has never been saved, rows with outlets start from that count, so the
    assessor confirms rather than retypes; afterwards the saved inventory stands."""
    fresh = not any(row["source"] for row in rows)
    for row in rows:
        row["suggested"] = counts.get(row["code"], 0)
        if fresh and row["suggested"]:
            row.update(present=True, outlets=row["suggested"], evidence=f"网点清单：{row['suggested']} 家")
    return rows


def _suggestion_text(field, value) -> str:
    """A suggested value as the assessor reads it."""
    if field.kind == "bool":
        return "是" if value else "否"
    if field.kind == "share":
        return f"{value * 100:.1f}%"
    if field.kind == "multi":
        labels = dict(field.choices)
        return "、".join(labels.get(code, code) for code in value) or "无"
    return str(value)
