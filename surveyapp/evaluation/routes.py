from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlmodel import select

from ..auth.access import circle_or_404, evaluation_or_404
from ..circles.queries import visible_circles
from ..db import get_session
from .facts_input import parse_fact
from .operations import (EvaluationError, open_evaluation, save_facts, save_inventory,
                                     save_self_presence)
from .registry import UnknownRules, available_rules, current_rules, rules_by_hash
from .rules import RulesError
from .service import circle_history, evaluation_sheet, inventory_rows
from ..merchants.queries import fact_suggestions, presence_suggestions
from ..locations.inventory import with_walk_coverage
from ..locations.queries import circle_coverage
from ..models import Campaign, Circle, IndicatorEntry
from ..reporting.routes import issued_reports
from ..community import needs_suggestion
from .forms import NewEvaluationForm, indicator_form, inventory_form

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


@bp.route("/circles/<int:circle_id>", methods=["GET", "POST"])
def circle(circle_id: int):
    circle = circle_or_404(circle_id)
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
            return redirect(url_for("evaluation.sheet", evaluation_id=evaluation.id))
    history = circle_history(db, circle)
    return render_template("evaluation/circle.html", circle=circle, campaigns=campaigns, history=history, form=form)


@bp.route("/evaluations/<int:evaluation_id>")
def sheet(evaluation_id: int):
    evaluation = evaluation_or_404(evaluation_id)
    db = get_session()
    return render_template("evaluation/sheet.html", evaluation=evaluation, sheet=evaluation_sheet(db, evaluation),
                           issued=issued_reports(db, evaluation_id=evaluation.id))


@bp.route("/evaluations/<int:evaluation_id>/inventory", methods=["GET", "POST"])
def inventory(evaluation_id: int):
    evaluation = evaluation_or_404(evaluation_id)
    db = get_session()
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
    fields = rules.indicator_fields(key)
    entry = db.get(IndicatorEntry, (evaluation.id, key))
    names = {field.name for field in fields}
    suggestions = {name: s for name, s in fact_suggestions(db, evaluation.circle_id).get(key, {}).items()
                   if name in names}
    # A form never saved starts from the suggestions; once saved, the assessor's values stand.
    defaults = entry.facts if entry else {name: s.value for name, s in suggestions.items()}
    form = indicator_form(fields, defaults, entry.self_points if entry else None,
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
                           city_tier=circle.city_tier,
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
