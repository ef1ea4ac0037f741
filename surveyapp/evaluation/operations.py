"""Writes of evaluations: opening a round, the inventory, the indicator facts."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from ..audit.operations import record
from ..models import Campaign, Circle, Evaluation, IndicatorEntry, InventoryItem
from ..models.timeutil import utcnow
from .registry import freeze
from .scoring import score_indicator

#: Indicators whose points come from the campaign summary, not from entered facts.
FROM_SURVEY = ("business_satisfaction", "service_satisfaction")


class EvaluationError(ValueError):
    """An evaluation write that cannot be carried out; the message is for the user."""


def open_evaluation(session: Session, circle: Circle, rules, campaign: Campaign | None = None,
                    user_id: int | None = None, evaluated_on: date | None = None) -> Evaluation:
    """A new round for ``circle`` (rounds count up from 1 and are never overwritten)."""
    if campaign is not None and campaign.circle_id != circle.id:
        raise EvaluationError("问卷调查不属于这个生活圈")
    freeze(session, rules)
    last = session.exec(select(func.max(Evaluation.round)).where(Evaluation.circle_id == circle.id)).one()
    evaluation = Evaluation(
        circle_id=circle.id, round=(last or 0) + 1, rules_hash=rules.content_hash, rules_name=rules.name,
        rules_version=rules.version, campaign_id=campaign.id if campaign else None,
        evaluated_on=evaluated_on or utcnow().date(), created_by=user_id,
    )
    session.add(evaluation)
    session.flush()
    record(session, "evaluation.create", summary=f"开始第 {evaluation.round} 轮评价", target_type="evaluation",
           target_id=evaluation.id, circle_id=circle.id,
           after={"round": evaluation.round, "rules": f"{rules.name} {rules.version}", "campaign_id": evaluation.campaign_id})
    session.commit()
    return evaluation


def set_campaign(session: Session, evaluation: Evaluation, campaign: Campaign | None) -> None:
    if campaign is not None and campaign.circle_id != evaluation.circle_id:
        raise EvaluationError("问卷调查不属于这个生活圈")
    record(session, "evaluation.campaign", summary="更换用于满意度指标的问卷调查", target_type="evaluation",
           target_id=evaluation.id, circle_id=evaluation.circle_id, before={"campaign_id": evaluation.campaign_id},
           after={"campaign_id": campaign.id if campaign else None})
    evaluation.campaign_id = campaign.id if campaign else None
    session.add(evaluation)
    session.commit()


def _inventory_row(item: InventoryItem) -> dict:
    return {"present": item.present, "outlets": item.outlets, "evidence": item.evidence, "source": item.source}


def save_inventory(session: Session, evaluation: Evaluation, rules, entries: dict[str, dict],
                   source: str = "assessor") -> None:
    """Replace the round's inventory: ``entries`` maps a catalogue code to
    ``{"present": bool, "outlets": int, "evidence": str}`` and optionally ``"source"`` (the
    row's own source, e.g. ``merchant`` when the assessor accepted the outlet inventory's
    suggestion; ``source`` otherwise). Outlets > 0 implies present."""
    known = {entry.code for entry in rules.catalogue.entries}
    unknown = sorted(set(entries) - known)
    if unknown:
        raise EvaluationError(f"业态目录中没有这些类型: {'、'.join(unknown)}")
    rows = []
    for code, entry in entries.items():
        try:
            outlets = int(entry.get("outlets") or 0)
        except (TypeError, ValueError) as exc:
            raise EvaluationError(f"{rules.catalogue.label(code)}：网点数必须是整数") from exc
        if outlets < 0:
            raise EvaluationError(f"{rules.catalogue.label(code)}：网点数不能为负")
        evidence = str(entry.get("evidence") or "").strip()
        if len(evidence) > 1000:
            raise EvaluationError(f"{rules.catalogue.label(code)}：说明不超过1000字")
        present = bool(entry.get("present")) or outlets > 0
        rows.append(InventoryItem(evaluation_id=evaluation.id, type_code=code, present=present,
                                  outlets=outlets, evidence=evidence, source=str(entry.get("source") or source)[:16]))
    before = {}
    for old in session.exec(select(InventoryItem).where(InventoryItem.evaluation_id == evaluation.id)):
        before[old.type_code] = _inventory_row(old)
        session.delete(old)
    session.flush()
    session.add_all(rows)
    record(session, "evaluation.inventory", summary=f"保存第 {evaluation.round} 轮业态清单", target_type="evaluation",
           target_id=evaluation.id, circle_id=evaluation.circle_id, before=before,
           after={row.type_code: _inventory_row(row) for row in rows})
    session.commit()


def save_self_presence(session: Session, evaluation: Evaluation, points: float | None) -> None:
    if points is not None and not 0 <= points <= 100:
        raise EvaluationError("自评分应在 0 到 100 之间")
    if points != evaluation.self_presence_points:
        record(session, "evaluation.self_presence", summary="保存“有没有”自评分", target_type="evaluation",
               target_id=evaluation.id, circle_id=evaluation.circle_id,
               before={"self_points": evaluation.self_presence_points}, after={"self_points": points})
    evaluation.self_presence_points = points
    session.add(evaluation)
    session.commit()


def save_facts(session: Session, evaluation: Evaluation, rules, indicator: str, facts: dict,
               self_points: float | None = None, note: str = "", user_id: int | None = None,
               city_tier: int = 3, suggested: dict | None = None) -> IndicatorEntry:
    """Store what the assessor found for one indicator; the facts are checked by scoring
    them (unknown fields or wrong types are refused with a Chinese message).

    ``suggested`` is what the form showed as suggested values when the assessor saved,
    ``{fact: {"value", "source"}}`` (e.g. from the merchant outlet inventory): stored next to
    the assessor's facts so the record shows both. It never changes the facts or the score."""
    if indicator in FROM_SURVEY:
        facts = {}
    else:
        try:
            result = score_indicator(rules, indicator, facts, city_tier=city_tier)
        except ValueError as exc:
            raise EvaluationError(str(exc)) from exc
        if self_points is not None and not 0 <= self_points <= float(result.max_points):
            raise EvaluationError(f"自评分应在 0 到 {float(result.max_points):g} 之间")
    entry = session.get(IndicatorEntry, (evaluation.id, indicator)) or IndicatorEntry(
        evaluation_id=evaluation.id, indicator=indicator)
    before = {"facts": entry.facts, "self_points": entry.self_points, "note": entry.note} if entry.facts or \
        entry.self_points is not None or entry.note else None
    record(session, "evaluation.facts", summary=f"保存指标“{indicator}”现场检查", target_type="evaluation",
           target_id=evaluation.id, circle_id=evaluation.circle_id, before=before,
           after={"indicator": indicator, "facts": dict(facts), "self_points": self_points, "note": (note or "")[:1000]})
    entry.facts = dict(facts)
    entry.suggested = dict(suggested) if suggested else None
    entry.self_points = self_points
    entry.note = (note or "")[:1000]
    entry.updated_by = user_id
    entry.updated_at = utcnow()
    session.add(entry)
    session.commit()
    return entry
