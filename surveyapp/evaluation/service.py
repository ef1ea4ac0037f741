"""Reads: an evaluation's score sheet and a circle's history of rounds.

A round that is issued (or later withdrawn or corrected) is read from the document frozen
when it was issued, never re-computed: new responses, a rules edit or a settings change leave
it as it was. Drafts and ready rounds are computed from their current inputs.
"""
from __future__ import annotations

import copy

from sqlmodel import Session, select

from .. import analysis
from ..models import Campaign, Circle, Evaluation, FrozenEvaluation, IndicatorEntry, InventoryItem, IssuedReport
from ..questionnaire.kinds import survey_kind
from ..results.service import summary_for
from . import states
from .registry import rules_by_hash
from .rules import SATISFACTION_KEYS as SURVEY_INDICATORS
from .scoring import outcome, satisfaction_facts, score_presence, score_service


def inventory_rows(session: Session, evaluation: Evaluation, rules) -> list[dict]:
    """Every catalogue type in catalogue order, with what the inventory says of it."""
    stored = {item.type_code: item for item in session.exec(
        select(InventoryItem).where(InventoryItem.evaluation_id == evaluation.id))}
    required = set(rules.required_types)
    rows = []
    for entry in rules.catalogue.entries:
        item = stored.get(entry.code)
        rows.append({
            "code": entry.code, "label": entry.label, "group": entry.group, "required": entry.code in required,
            "present": bool(item and item.present), "outlets": item.outlets if item else 0,
            "evidence": item.evidence if item else "", "source": item.source if item else None,
        })
    return rows


def survey_summary(session: Session, evaluation: Evaluation, campaign: Campaign, rules=None, detail: bool = True) -> dict:
    """The campaign summary as this round reads it: the sample rule is the round's rules file's."""
    rules = rules or rules_by_hash(session, evaluation.rules_hash)
    return summary_for(session, campaign, detail=detail, sample_rate=rules.service.sample_rate)


def live_sheet(session: Session, evaluation: Evaluation) -> dict:
    """The score sheet computed from the round's current inputs."""
    rules = rules_by_hash(session, evaluation.rules_hash)
    circle = session.get(Circle, evaluation.circle_id)
    inventory = inventory_rows(session, evaluation, rules)
    presence = score_presence(rules, {row["code"] for row in inventory if row["present"]})

    entries = {e.indicator: e for e in session.exec(
        select(IndicatorEntry).where(IndicatorEntry.evaluation_id == evaluation.id))}
    facts = {key: entry.facts for key, entry in entries.items()
             if key not in SURVEY_INDICATORS and not entry.not_applicable}
    survey = None
    campaign = session.get(Campaign, evaluation.campaign_id) if evaluation.campaign_id else None
    # Only a survey whose kind feeds satisfaction scores #2/#3 (a merchant survey never does).
    if campaign is not None and survey_kind(campaign.kind).feeds_satisfaction:
        survey = survey_summary(session, evaluation, campaign, rules, detail=False)
        for key in SURVEY_INDICATORS:
            if key in survey["indicators"]:
                facts[key] = satisfaction_facts(survey, key)
    service = score_service(rules, facts, city_tier=circle.city_tier)
    result = outcome(rules, presence, service)

    service_doc = service.to_dict()
    for item in service_doc["indicators"]:
        entry = entries.get(item["key"])
        item["self_points"] = entry.self_points if entry else None
        item["note"] = entry.note if entry else ""
        item["source"] = "survey" if item["key"] in SURVEY_INDICATORS else "inspection"
        item["not_applicable"] = bool(entry and entry.not_applicable)
        if item["not_applicable"]:
            item["steps"] = [f"不适用，记 0 分（理由：{entry.note}）"]
            item["missing"] = []
        if item["source"] == "survey" and survey is not None and item["key"] in survey["indicators"]:
            figures = survey["indicators"][item["key"]]
            item["assessable"] = figures.get("assessable", True)
            if not item["assessable"]:
                item["steps"] = ["全部回答为“不清楚”，无法评价，记 0 分"]
    self_total = [i["self_points"] for i in service_doc["indicators"]]
    service_doc["self_total"] = sum(self_total) if all(v is not None for v in self_total) else None
    presence_doc = presence.to_dict()
    presence_doc["self_points"] = evaluation.self_presence_points
    return {
        "evaluation": {"id": evaluation.id, "circle": circle.id, "circle_name": circle.name, "round": evaluation.round,
                       "evaluated_on": evaluation.evaluated_on.isoformat(), "campaign": evaluation.campaign_id,
                       "city_tier": circle.city_tier},
        "rules": result.to_dict()["rules"],
        "inventory": inventory,
        "presence": presence_doc,
        "service": service_doc,
        "outcome": result.to_dict(),
        "survey": None if survey is None else {"sample": survey["sample"], "indicators": survey["indicators"]},
    }


def frozen_document(session: Session, evaluation: Evaluation) -> dict | None:
    frozen = session.get(FrozenEvaluation, evaluation.id)
    return None if frozen is None else frozen.document


def life(session: Session, evaluation: Evaluation) -> dict:
    """The round's state and its place among corrections and reports (never frozen: it moves)."""
    report = session.exec(select(IssuedReport).where(IssuedReport.evaluation_id == evaluation.id)
                          .order_by(IssuedReport.id.desc())).first()
    replaced_by = session.exec(select(Evaluation).where(Evaluation.corrects_id == evaluation.id)
                               .order_by(Evaluation.revision.desc())).first()
    corrects = session.get(Evaluation, evaluation.corrects_id) if evaluation.corrects_id else None
    replaced_report = None
    if report is not None and report.replaces_id:
        old = session.get(IssuedReport, report.replaces_id)
        replaced_report = old.report_number if old else None
    replacing_report = None
    if report is not None:
        newer = session.exec(select(IssuedReport).where(IssuedReport.replaces_id == report.id)).first()
        replacing_report = newer.report_number if newer else None
    return {
        "state": evaluation.state, "state_label": states.label(evaluation.state),
        "revision": evaluation.revision, "state_reason": evaluation.state_reason or None,
        "corrects": None if corrects is None else {"id": corrects.id, "revision": corrects.revision},
        "correction_reason": evaluation.correction_reason or None,
        "corrected_by": None if replaced_by is None else {"id": replaced_by.id, "revision": replaced_by.revision,
                                                          "state": replaced_by.state},
        "report_number": report.report_number if report else None,
        "replaces_report": replaced_report,
        "replaced_by_report": replacing_report,
        "campaign_open_confirmed": evaluation.campaign_open_confirmed,
        "inventory_saved": evaluation.inventory_saved_at is not None,
    }


def evaluation_sheet(session: Session, evaluation: Evaluation) -> dict:
    """Everything that scores one round, with how each number was reached, and its state.

    Frozen rounds come from their frozen document; ``evaluation.frozen`` says which."""
    frozen = frozen_document(session, evaluation) if states.state(evaluation.state).frozen else None
    sheet = copy.deepcopy(frozen["sheet"]) if frozen is not None else live_sheet(session, evaluation)
    sheet["evaluation"].update(life(session, evaluation), frozen=frozen is not None)
    return sheet


def _effective(revisions: list[Evaluation]) -> Evaluation:
    """The revision of a round that stands: the issued one if any, else the latest."""
    issued = [e for e in revisions if e.state == states.ISSUED]
    return issued[-1] if issued else revisions[-1]


def circle_history(session: Session, circle: Circle) -> list[dict]:
    """Every round, oldest first, with movement against the previous round that has a result
    and a two-proportion test on each satisfaction rate. A round without a result (草稿,
    待签发, 已撤回) shows its state and no grade or move."""
    evaluations = session.exec(select(Evaluation).where(Evaluation.circle_id == circle.id)
                               .order_by(Evaluation.round, Evaluation.revision)).all()
    by_round: dict[int, list[Evaluation]] = {}
    for evaluation in evaluations:
        by_round.setdefault(evaluation.round, []).append(evaluation)
    history = []
    previous = None
    for number, revisions in by_round.items():
        evaluation = _effective(revisions)
        state = states.state(evaluation.state)
        entry = {"round": number, "evaluation": evaluation.id, "state": evaluation.state,
                 "state_label": state.label, "result": state.counts_as_result,
                 "status_label": state.label if state.counts_as_result or evaluation.state == states.WITHDRAWN
                 else states.IN_PROGRESS_LABEL,
                 "evaluated_on": evaluation.evaluated_on.isoformat(),
                 "rules": f"{evaluation.rules_name} {evaluation.rules_version}",
                 "revisions": [{"id": e.id, "revision": e.revision, "state": e.state,
                                "state_label": states.label(e.state)} for e in revisions],
                 "presence_total": None, "service_total": None, "final_type": None, "stars": None,
                 "grade": None, "movement": None, "satisfaction_changes": {}}
        if state.counts_as_result:
            sheet = evaluation_sheet(session, evaluation)
            stars = sheet["outcome"]["stars"] or 0
            entry.update(presence_total=sheet["presence"]["total"], service_total=sheet["service"]["total"],
                         final_type=sheet["outcome"]["final_type"], stars=sheet["outcome"]["stars"],
                         grade=sheet["outcome"]["grade"], report_number=sheet["evaluation"]["report_number"])
            if previous is not None:
                before = previous["stars_value"]
                entry["movement"] = "up" if stars > before else "down" if stars < before else "same"
                for key in SURVEY_INDICATORS:
                    old, new = previous["survey"], sheet["survey"]
                    if old and new and key in old["indicators"] and key in new["indicators"]:
                        a, b = old["indicators"][key], new["indicators"][key]
                        if not a["answered"] or not b["answered"]:
                            continue
                        test = analysis.two_proportions(a["satisfied"], a["answered"], b["satisfied"], b["answered"])
                        entry["satisfaction_changes"][key] = {"label": b["label"], **test.to_dict()}
            previous = {"stars_value": stars, "survey": sheet["survey"]}
        history.append(entry)
    return history
