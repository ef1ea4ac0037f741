"""Reads: an evaluation's score sheet and a circle's history of rounds."""
from __future__ import annotations

from sqlmodel import Session, select

from .. import analysis
from ..models import Campaign, Circle, Evaluation, IndicatorEntry, InventoryItem
from ..results.service import summary_for
from .registry import rules_by_hash
from .scoring import outcome, satisfaction_facts, score_presence, score_service

SURVEY_INDICATORS = ("business_satisfaction", "service_satisfaction")


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


def evaluation_sheet(session: Session, evaluation: Evaluation) -> dict:
    """Everything that scores one round, with how each number was reached."""
    rules = rules_by_hash(session, evaluation.rules_hash)
    circle = session.get(Circle, evaluation.circle_id)
    inventory = inventory_rows(session, evaluation, rules)
    presence = score_presence(rules, {row["code"] for row in inventory if row["present"]})

    entries = {e.indicator: e for e in session.exec(
        select(IndicatorEntry).where(IndicatorEntry.evaluation_id == evaluation.id))}
    facts = {key: entry.facts for key, entry in entries.items() if key not in SURVEY_INDICATORS}
    survey = None
    campaign = session.get(Campaign, evaluation.campaign_id) if evaluation.campaign_id else None
    if campaign is not None:
        survey = summary_for(session, campaign, detail=False)
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


def circle_history(session: Session, circle: Circle) -> list[dict]:
    """Every round, oldest first, with movement against the round before and a
    two-proportion test on each satisfaction rate."""
    evaluations = session.exec(
        select(Evaluation).where(Evaluation.circle_id == circle.id).order_by(Evaluation.round)).all()
    history = []
    previous = None
    for evaluation in evaluations:
        sheet = evaluation_sheet(session, evaluation)
        stars = sheet["outcome"]["stars"] or 0
        entry = {"round": evaluation.round, "evaluation": evaluation.id, "evaluated_on": sheet["evaluation"]["evaluated_on"],
                 "rules": f'{sheet["rules"]["name"]} {sheet["rules"]["version"]}',
                 "presence_total": sheet["presence"]["total"], "service_total": sheet["service"]["total"],
                 "final_type": sheet["outcome"]["final_type"], "stars": sheet["outcome"]["stars"],
                 "grade": sheet["outcome"]["grade"], "movement": None, "satisfaction_changes": {}}
        if previous is not None:
            before = previous["stars_value"]
            entry["movement"] = "up" if stars > before else "down" if stars < before else "same"
            for key in SURVEY_INDICATORS:
                old, new = previous["survey"], sheet["survey"]
                if old and new and key in old["indicators"] and key in new["indicators"]:
                    a, b = old["indicators"][key], new["indicators"][key]
                    test = analysis.two_proportions(a["satisfied"], a["answered"], b["satisfied"], b["answered"])
                    entry["satisfaction_changes"][key] = {"label": b["label"], **test.to_dict()}
        history.append(entry)
        previous = {"stars_value": stars, "survey": sheet["survey"]}
    return history
