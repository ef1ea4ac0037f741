"""Writes of evaluations: opening a round, the inventory, the indicator facts, and the moves
of its life (草稿 → 待签发, deleting a draft, withdrawing, starting a correction).

Issuing itself (numbering, rendering and freezing) is ``surveyapp.reporting.operations``.
Every write is audited in its own transaction; a round that is issued, withdrawn or
corrected refuses every change of its inputs.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, select

from ..audit.operations import record
from ..models import Campaign, Circle, Evaluation, IndicatorEntry, InventoryItem
from ..models.timeutil import utcnow
from ..questionnaire.kinds import survey_kind
from . import states
from .completeness import Gap, gaps
from .registry import freeze
from .rules import SATISFACTION_KEYS as FROM_SURVEY
from .scoring import score_indicator


class EvaluationError(ValueError):
    """An evaluation write that cannot be carried out; the message is for the user."""


class IncompleteEvaluation(EvaluationError):
    """The round cannot be made ready or issued: ``gaps`` says what is missing."""

    def __init__(self, missing: list[Gap]):
        self.gaps = missing
        super().__init__("这一轮评价还不完整：" + "；".join(gap.message for gap in missing))


def check_campaign(campaign: Campaign | None, circle_id: int) -> None:
    """Only a resident campaign of the same circle may feed indicators #2/#3."""
    if campaign is None:
        return
    if campaign.circle_id != circle_id:
        raise EvaluationError("问卷调查不属于这个生活圈")
    kind = survey_kind(campaign.kind)
    if not kind.feeds_satisfaction:
        raise EvaluationError(f"问卷调查 #{campaign.id} 是{kind.label}，不能作为业态满意、服务满意两项指标的来源；"
                              "请选择居民问卷调查")


def require_editable(evaluation: Evaluation) -> None:
    state = states.state(evaluation.state)
    if not state.editable:
        raise EvaluationError(f"第 {evaluation.round} 轮评价{state.label}，内容已冻结，不能修改；"
                              "如需改正，请在评分表上“更正”")


def set_state(session: Session, evaluation: Evaluation, target: str, summary: str, reason: str = "",
              action: str = "evaluation.state") -> None:
    """Move ``evaluation`` to ``target`` and audit it (no commit: the caller's transaction)."""
    before = evaluation.state
    evaluation.state = target
    evaluation.state_changed_at = utcnow()
    if reason:
        evaluation.state_reason = reason
    session.add(evaluation)
    record(session, action, summary=summary, target_type="evaluation", target_id=evaluation.id,
           circle_id=evaluation.circle_id, before={"state": before},
           after={"state": target, **({"reason": reason} if reason else {})})


def _after_edit(session: Session, evaluation: Evaluation) -> None:
    """A ready round that an edit left incomplete goes back to draft (in the same transaction)."""
    if evaluation.state == states.READY:
        session.flush()
        if gaps(session, evaluation, utcnow()):
            set_state(session, evaluation, states.DRAFT, f"第 {evaluation.round} 轮评价修改后不再完整，退回草稿")


def open_evaluation(session: Session, circle: Circle, rules, campaign: Campaign | None = None,
                    user_id: int | None = None, evaluated_on: date | None = None) -> Evaluation:
    """A new round for ``circle`` (rounds count up from 1 and are never overwritten)."""
    check_campaign(campaign, circle.id)
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
    require_editable(evaluation)
    check_campaign(campaign, evaluation.circle_id)
    record(session, "evaluation.campaign", summary="更换用于满意度指标的问卷调查", target_type="evaluation",
           target_id=evaluation.id, circle_id=evaluation.circle_id, before={"campaign_id": evaluation.campaign_id},
           after={"campaign_id": campaign.id if campaign else None})
    if evaluation.campaign_id != (campaign.id if campaign else None):
        evaluation.campaign_open_confirmed = False
    evaluation.campaign_id = campaign.id if campaign else None
    session.add(evaluation)
    _after_edit(session, evaluation)
    session.commit()


def confirm_open_campaign(session: Session, evaluation: Evaluation, confirmed: bool) -> None:
    """The assessor accepts (or no longer accepts) issuing from a campaign still open."""
    require_editable(evaluation)
    if evaluation.campaign_open_confirmed == confirmed:
        return
    record(session, "evaluation.confirm_open_campaign",
           summary="确认用进行中的问卷调查数据签发" if confirmed else "取消“用进行中的问卷调查签发”的确认",
           target_type="evaluation", target_id=evaluation.id, circle_id=evaluation.circle_id,
           before={"campaign_open_confirmed": evaluation.campaign_open_confirmed},
           after={"campaign_open_confirmed": confirmed, "campaign_id": evaluation.campaign_id})
    evaluation.campaign_open_confirmed = confirmed
    session.add(evaluation)
    _after_edit(session, evaluation)
    session.commit()


def _inventory_row(item: InventoryItem) -> dict:
    return {"present": item.present, "outlets": item.outlets, "evidence": item.evidence, "source": item.source}


def save_inventory(session: Session, evaluation: Evaluation, rules, entries: dict[str, dict],
                   source: str = "assessor") -> None:
    """Replace the round's inventory: ``entries`` maps a catalogue code to
    ``{"present": bool, "outlets": int, "evidence": str}`` and optionally ``"source"`` (the
    row's own source, e.g. ``merchant`` when the assessor accepted the outlet inventory's
    suggestion; ``source`` otherwise). Outlets > 0 implies present."""
    require_editable(evaluation)
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
    evaluation.inventory_saved_at = utcnow()
    session.add(evaluation)
    _after_edit(session, evaluation)
    session.commit()


def save_self_presence(session: Session, evaluation: Evaluation, points: float | None) -> None:
    require_editable(evaluation)
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
               city_tier: int = 3, suggested: dict | None = None, not_applicable: bool = False) -> IndicatorEntry:
    """Store what the assessor found for one indicator; the facts are checked by scoring
    them (unknown fields or wrong types are refused with a Chinese message).

    ``suggested`` is what the form showed as suggested values when the assessor saved,
    ``{fact: {"value", "source"}}`` (e.g. from the merchant outlet inventory): stored next to
    the assessor's facts so the record shows both. It never changes the facts or the score.

    ``not_applicable``: the indicator does not apply to this circle (scored 0, as the rules
    say); ``note`` must give the reason, and no facts are kept."""
    require_editable(evaluation)
    note = (note or "").strip()
    if not_applicable:
        if indicator in FROM_SURVEY:
            raise EvaluationError("业态满意、服务满意来自居民问卷调查，不能标为不适用")
        if not note:
            raise EvaluationError("标为不适用时请写明理由")
        facts = {}
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
    before = {"facts": entry.facts, "self_points": entry.self_points, "note": entry.note,
              "not_applicable": entry.not_applicable} if entry.facts or \
        entry.self_points is not None or entry.note or entry.not_applicable else None
    record(session, "evaluation.facts", summary=f"保存指标“{indicator}”现场检查", target_type="evaluation",
           target_id=evaluation.id, circle_id=evaluation.circle_id, before=before,
           after={"indicator": indicator, "facts": dict(facts), "self_points": self_points, "note": note[:1000],
                  "not_applicable": not_applicable})
    entry.facts = dict(facts)
    entry.suggested = dict(suggested) if suggested else None
    entry.self_points = self_points
    entry.note = note[:1000]
    entry.not_applicable = not_applicable
    entry.updated_by = user_id
    entry.updated_at = utcnow()
    session.add(entry)
    _after_edit(session, evaluation)
    session.commit()
    return entry


# --- the life of a round -------------------------------------------------------------------------

def mark_ready(session: Session, evaluation: Evaluation, now: datetime | None = None) -> None:
    """草稿 → 待签发, when nothing is missing (else :class:`IncompleteEvaluation`)."""
    if evaluation.state != states.DRAFT:
        raise EvaluationError(f"第 {evaluation.round} 轮评价{states.label(evaluation.state)}，不能提交待签发")
    missing = gaps(session, evaluation, now or utcnow())
    if missing:
        raise IncompleteEvaluation(missing)
    set_state(session, evaluation, states.READY, f"第 {evaluation.round} 轮评价提交待签发",
              action="evaluation.ready")
    session.commit()


def back_to_draft(session: Session, evaluation: Evaluation) -> None:
    if evaluation.state != states.READY:
        raise EvaluationError(f"第 {evaluation.round} 轮评价{states.label(evaluation.state)}，不能退回草稿")
    set_state(session, evaluation, states.DRAFT, f"第 {evaluation.round} 轮评价退回草稿")
    session.commit()


def delete_draft(session: Session, evaluation: Evaluation) -> None:
    """Remove a draft round with its inventory and facts (only drafts: 待签发 and issued rounds stay)."""
    if evaluation.state != states.DRAFT:
        raise EvaluationError(f"只有草稿可以删除；第 {evaluation.round} 轮评价{states.label(evaluation.state)}")
    entries = session.exec(select(IndicatorEntry).where(IndicatorEntry.evaluation_id == evaluation.id)).all()
    items = session.exec(select(InventoryItem).where(InventoryItem.evaluation_id == evaluation.id)).all()
    record(session, "evaluation.delete", summary=f"删除第 {evaluation.round} 轮评价草稿"
           + (f"（更正稿 {evaluation.revision}）" if evaluation.revision else ""),
           target_type="evaluation", target_id=evaluation.id, circle_id=evaluation.circle_id,
           before={"round": evaluation.round, "revision": evaluation.revision, "campaign_id": evaluation.campaign_id,
                   "rules": f"{evaluation.rules_name} {evaluation.rules_version}",
                   "inventory": {item.type_code: _inventory_row(item) for item in items},
                   "facts": {entry.indicator: entry.facts for entry in entries}})
    for row in [*entries, *items]:
        session.delete(row)
    session.flush()
    session.delete(evaluation)
    session.commit()


def withdraw(session: Session, evaluation: Evaluation, reason: str) -> None:
    """已签发 → 已撤回. The report's bytes are kept; it is marked withdrawn with the reason."""
    from ..models import IssuedReport
    from ..reporting.operations import mark_withdrawn

    reason = (reason or "").strip()
    if evaluation.state != states.ISSUED:
        raise EvaluationError(f"只有已签发的评价可以撤回；第 {evaluation.round} 轮评价{states.label(evaluation.state)}")
    if not reason:
        raise EvaluationError("撤回时请写明理由")
    now = utcnow()
    for report in session.exec(select(IssuedReport).where(IssuedReport.evaluation_id == evaluation.id,
                                                          IssuedReport.withdrawn_at.is_(None))):
        mark_withdrawn(report, reason, now)
        session.add(report)
    set_state(session, evaluation, states.WITHDRAWN, f"撤回第 {evaluation.round} 轮评价报告", reason[:1000],
              action="evaluation.withdraw")
    session.commit()


def correction_of(session: Session, evaluation: Evaluation) -> Evaluation | None:
    """The correction under way (not yet issued) of ``evaluation``, if any."""
    return session.exec(select(Evaluation).where(Evaluation.corrects_id == evaluation.id,
                                                 Evaluation.state.in_((states.DRAFT, states.READY)))).first()


def start_correction(session: Session, evaluation: Evaluation, reason: str, user_id: int | None = None) -> Evaluation:
    """A new draft of the same round that copies every input of an issued round, to be edited
    and issued as a correction (its report names the one it replaces). The issued round stays
    as it is until the correction is issued; then it becomes 已更正."""
    reason = (reason or "").strip()
    if evaluation.state != states.ISSUED:
        raise EvaluationError(f"只有已签发的评价可以更正；第 {evaluation.round} 轮评价{states.label(evaluation.state)}")
    if not reason:
        raise EvaluationError("更正时请写明理由")
    existing = correction_of(session, evaluation)
    if existing is not None:
        raise EvaluationError(f"第 {evaluation.round} 轮评价已有一份更正稿（更正稿 {existing.revision}），请继续编辑它")
    last = session.exec(select(func.max(Evaluation.revision)).where(
        Evaluation.circle_id == evaluation.circle_id, Evaluation.round == evaluation.round)).one()
    copy = Evaluation(
        circle_id=evaluation.circle_id, round=evaluation.round, revision=(last or 0) + 1,
        rules_hash=evaluation.rules_hash, rules_name=evaluation.rules_name, rules_version=evaluation.rules_version,
        campaign_id=evaluation.campaign_id, evaluated_on=evaluation.evaluated_on,
        self_presence_points=evaluation.self_presence_points, note=evaluation.note, created_by=user_id,
        corrects_id=evaluation.id, correction_reason=reason[:1000],
        campaign_open_confirmed=evaluation.campaign_open_confirmed, inventory_saved_at=evaluation.inventory_saved_at,
    )
    session.add(copy)
    session.flush()
    for item in session.exec(select(InventoryItem).where(InventoryItem.evaluation_id == evaluation.id)):
        session.add(InventoryItem(evaluation_id=copy.id, type_code=item.type_code, present=item.present,
                                  outlets=item.outlets, evidence=item.evidence, source=item.source))
    for entry in session.exec(select(IndicatorEntry).where(IndicatorEntry.evaluation_id == evaluation.id)):
        session.add(IndicatorEntry(evaluation_id=copy.id, indicator=entry.indicator, facts=dict(entry.facts),
                                   suggested=entry.suggested, self_points=entry.self_points, note=entry.note,
                                   not_applicable=entry.not_applicable, updated_by=user_id))
    record(session, "evaluation.correct", summary=f"开始更正第 {evaluation.round} 轮评价（更正稿 {copy.revision}）",
           target_type="evaluation", target_id=copy.id, circle_id=evaluation.circle_id,
           before={"evaluation_id": evaluation.id, "state": evaluation.state},
           after={"evaluation_id": copy.id, "revision": copy.revision, "corrects": evaluation.id, "reason": reason})
    session.commit()
    return copy
