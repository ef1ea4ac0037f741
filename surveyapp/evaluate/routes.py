from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlmodel import select

from ..auth.users import can_see_circle, visible_circle_ids
from ..db import get_session
from ..evaluation.facts_input import parse_fact
from ..evaluation.operations import (EvaluationError, open_evaluation, save_facts, save_inventory,
                                     save_self_presence)
from ..evaluation.registry import UnknownRules, available_rules, current_rules, rules_by_hash
from ..evaluation.rules import RulesError
from ..evaluation.service import circle_history, evaluation_sheet, inventory_rows
from ..models import Campaign, Circle, Evaluation, IndicatorEntry
from ..reporting.routes import issued_reports
from .forms import NewEvaluationForm, indicator_form, inventory_form

bp = Blueprint("evaluate", __name__, url_prefix="/staff")


@bp.before_request
@login_required
def _require_login():
    """Every page of this blueprint is for signed-in staff."""


def _circle_or_404(circle_id: int) -> Circle:
    db = get_session()
    circle = db.get(Circle, circle_id)
    if circle is None or not can_see_circle(db, current_user, circle.id):
        abort(404)
    return circle


def _evaluation_or_404(evaluation_id: int) -> Evaluation:
    evaluation = get_session().get(Evaluation, evaluation_id)
    if evaluation is None:
        abort(404)
    _circle_or_404(evaluation.circle_id)
    return evaluation


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
    db = get_session()
    ids = visible_circle_ids(db, current_user)
    query = select(Circle).order_by(Circle.id)
    if ids is not None:
        query = query.where(Circle.id.in_(ids))
    return render_template("evaluate/circles.html", circles=db.exec(query).all())


@bp.route("/circles/<int:circle_id>", methods=["GET", "POST"])
def circle(circle_id: int):
    circle = _circle_or_404(circle_id)
    db = get_session()
    campaigns = db.exec(select(Campaign).where(Campaign.circle_id == circle.id).order_by(Campaign.id.desc())).all()
    form = NewEvaluationForm()
    form.campaign.choices = [("", "暂不关联")] + [(str(c.id), f"#{c.id} {c.questionnaire} v{c.questionnaire_version}")
                                                for c in campaigns]
    form.rules.choices = [(name, name) for name in available_rules()]
    if request.method == "GET":
        form.rules.data = current_app.config["DEFAULT_RULES"]
    if form.validate_on_submit():
        campaign = next((c for c in campaigns if str(c.id) == form.campaign.data), None)
        try:
            rules = current_rules(form.rules.data)
            evaluation = open_evaluation(db, circle, rules, campaign, user_id=current_user.id)
        except (UnknownRules, RulesError, EvaluationError) as exc:
            flash(f"无法开始评价：{exc}", "error")
        else:
            return redirect(url_for("evaluate.sheet", evaluation_id=evaluation.id))
    history = circle_history(db, circle)
    return render_template("evaluate/circle.html", circle=circle, campaigns=campaigns, history=history, form=form)


@bp.route("/evaluations/<int:evaluation_id>")
def sheet(evaluation_id: int):
    evaluation = _evaluation_or_404(evaluation_id)
    db = get_session()
    return render_template("evaluate/sheet.html", evaluation=evaluation, sheet=evaluation_sheet(db, evaluation),
                           issued=issued_reports(db, evaluation_id=evaluation.id))


@bp.route("/evaluations/<int:evaluation_id>/inventory", methods=["GET", "POST"])
def inventory(evaluation_id: int):
    evaluation = _evaluation_or_404(evaluation_id)
    db = get_session()
    rules = rules_by_hash(db, evaluation.rules_hash)
    rows = inventory_rows(db, evaluation, rules)
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
                return redirect(url_for("evaluate.sheet", evaluation_id=evaluation.id, _anchor="presence"))
    return render_template("evaluate/inventory.html", evaluation=evaluation, rules=rules, rows=rows, form=form,
                           errors=errors), (422 if errors else 200)


@bp.route("/evaluations/<int:evaluation_id>/indicators/<key>", methods=["GET", "POST"])
def indicator(evaluation_id: int, key: str):
    evaluation = _evaluation_or_404(evaluation_id)
    db = get_session()
    rules = rules_by_hash(db, evaluation.rules_hash)
    if key not in rules.indicator_keys:
        abort(404)
    fields = rules.indicator_fields(key)
    entry = db.get(IndicatorEntry, (evaluation.id, key))
    form = indicator_form(fields, entry.facts if entry else {}, entry.self_points if entry else None,
                          entry.note if entry else "")()
    spec = rules.indicator(key)
    problems = []
    if form.validate_on_submit():
        facts = {}
        for field in fields:
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
                           city_tier=circle.city_tier)
            except EvaluationError as exc:
                flash(str(exc), "error")
                problems.append(str(exc))
            else:
                flash(f"“{spec.label}”已保存。", "info")
                return redirect(url_for("evaluate.sheet", evaluation_id=evaluation.id, _anchor=f"i-{key}"))
    return render_template("evaluate/indicator.html", evaluation=evaluation, spec=spec, fields=fields, form=form,
                           problems=problems), (422 if problems else 200)
