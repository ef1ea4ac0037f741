"""Reads for the community pages: the demand list (computed, never stored), the suggestions,
the project list and one project.

The demand figures come from the campaign summary (``summary_for``), the same document the
assessor's dashboard and the reports use, so the officer never sees a number computed
another way. Officers get aggregates and suggestion text only: no page here shows a
response's other answers, and every figure of a group under ``MIN_GROUP`` is left out.
"""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import or_
from sqlmodel import Session, select

from .. import analysis
from ..evaluation.registry import rules_by_hash
from ..locations.queries import circle_coverage, coverage_document, far_reading
from ..models import (Campaign, CommunityProject, DemandDecision, Evaluation, InventoryItem, ProjectDemand,
                      ProjectNote, Response, SuggestionTriage, User)
from ..models.community import PROJECT_STATUS_LABELS
from ..models.timeutil import utcnow
from ..questionnaire.registry import questionnaire_by_hash
from ..results.summary import MIN_GROUP
from ..results.service import summary_for

#: The open question whose answers are the residents' suggestions.
SUGGESTION_QUESTION = "suggestion"


def _local_date(value: datetime | None) -> date | None:
    if value is None:
        return None
    return value.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()


# --- campaigns and the demand figures ----------------------------------------------------------

def demand_campaigns(session: Session, circle_id: int) -> list[Campaign]:
    """The circle's opened campaigns whose questionnaire asks for missing types, newest first."""
    campaigns = session.exec(
        select(Campaign).where(Campaign.circle_id == circle_id, Campaign.opens_at <= utcnow())
        .order_by(Campaign.opens_at.desc(), Campaign.id.desc())).all()
    return [c for c in campaigns if questionnaire_by_hash(session, c.questionnaire_hash).demand_questions()]


def _campaign_demand(session: Session, campaign: Campaign) -> dict:
    """The first demand ranking, the walking times and what the suggestions need from one
    campaign's summary (without the answer-pattern statistics, which these lists do not show)."""
    summary = summary_for(session, campaign, patterns=False)
    ranking = summary["demand"][0]
    questionnaire = questionnaire_by_hash(session, campaign.questionnaire_hash)
    question = questionnaire.question(ranking["name"])
    labels = {c.name: c.label for c in question.choices_for(())} if question.choices else {}
    return {
        "campaign": {"id": campaign.id, "questionnaire": campaign.questionnaire,
                     "version": campaign.questionnaire_version,
                     "opens_on": _local_date(campaign.opens_at), "closes_on": _local_date(campaign.closes_at)},
        "question": ranking["label"],
        "respondents": ranking["respondents"],
        "suppressed": ranking["suppressed"],
        "items": ranking["items"],
        "labels": labels,
        "walking": summary["walking"],
        "valid": summary["sample"]["valid"],
        "cutoff_seconds": summary["quality"]["too_fast_cutoff_seconds"],
        "has_suggestions": _has_question(questionnaire, SUGGESTION_QUESTION),
    }


def _has_question(questionnaire, name: str) -> bool:
    try:
        return questionnaire.question(name).type == "text"
    except KeyError:
        return False


def latest_demand(session: Session, circle_id: int) -> dict | None:
    campaigns = demand_campaigns(session, circle_id)
    return _campaign_demand(session, campaigns[0]) if campaigns else None


def type_labels(session: Session, circle_id: int, demand: dict | None = None) -> dict[str, str]:
    """Catalogue code → label: the latest demand question's choices, else the catalogue of the
    circle's latest evaluation."""
    labels: dict[str, str] = {}
    evaluation = latest_evaluation(session, circle_id)
    if evaluation is not None:
        labels.update({e.code: e.label for e in rules_by_hash(session, evaluation.rules_hash).catalogue.entries})
    if demand is None:
        demand = latest_demand(session, circle_id)
    if demand is not None:
        labels.update(demand["labels"])
    return labels


def latest_evaluation(session: Session, circle_id: int) -> Evaluation | None:
    return session.exec(select(Evaluation).where(Evaluation.circle_id == circle_id)
                        .order_by(Evaluation.round.desc())).first()


def _inventory(session: Session, circle_id: int) -> tuple[dict | None, dict[str, InventoryItem]]:
    evaluation = latest_evaluation(session, circle_id)
    if evaluation is None:
        return None, {}
    items = {i.type_code: i for i in session.exec(
        select(InventoryItem).where(InventoryItem.evaluation_id == evaluation.id))}
    return {"id": evaluation.id, "round": evaluation.round, "evaluated_on": evaluation.evaluated_on}, items


def inventory_reading(evaluation: dict | None, item: InventoryItem | None) -> dict:
    """Set "residents say it is missing" against the inventory of the latest evaluation."""
    if evaluation is None:
        return {"kind": "unknown", "outlets": None, "text": "暂无业态清单可对照"}
    if item is not None and (item.present or item.outlets > 0):
        n = item.outlets
        where = f"清单中有 {n} 个" if n else "清单中有"
        return {"kind": "known", "outlets": n, "text": f"{where}：居民可能不知道，或离家太远"}
    return {"kind": "gap", "outlets": 0, "text": "缺口：业态清单中没有"}


def _project_timing(project: dict, previous: dict | None, latest: dict) -> str | None:
    """Where a completed project falls against the two surveys being compared."""
    done = project["completed_on"]
    if project["status"] != "done" or done is None:
        return None
    latest_start = latest["campaign"]["opens_on"]
    if latest_start is not None and done >= latest_start:
        return f"{project['title']}：{done.isoformat()} 完成，晚于本轮调查开始，效果要看下一轮"
    if previous is not None:
        previous_end = previous["campaign"]["closes_on"] or previous["campaign"]["opens_on"]
        if previous_end is not None and done < previous_end:
            return f"{project['title']}：{done.isoformat()} 完成，早于上一轮调查结束"
    return f"{project['title']}：{done.isoformat()} 完成，在两轮调查之间"


def change_between(previous_item: dict | None, previous_n: int, item: dict, n: int) -> dict | None:
    """Two-proportion comparison of the share naming one type, previous round vs latest."""
    if previous_item is None:
        return None
    test = analysis.two_proportions(previous_item["count"], previous_n, item["count"], n).to_dict()
    return test


def demand_list(session: Session, circle) -> dict:
    """The circle's 需求清单: each type residents named, ranked, with its interval, the
    inventory reading, its projects, the decision not to meet it, the change since the round
    before, and the walking times."""
    campaigns = demand_campaigns(session, circle.id)
    if not campaigns:
        return {"latest": None, "previous": None, "items": [], "unnamed": [], "walking": [],
                "inventory": None, "labels": type_labels(session, circle.id, None), "walk_coverage": None}
    latest = _campaign_demand(session, campaigns[0])
    previous = _campaign_demand(session, campaigns[1]) if len(campaigns) > 1 else None
    labels = type_labels(session, circle.id, latest)
    evaluation, inventory = _inventory(session, circle.id)
    projects = projects_by_demand(session, circle.id, labels)
    decisions = decisions_of(session, circle.id)
    grouped = suggestion_counts(session, circle.id, latest)
    comparable = previous is not None and not previous["suppressed"] and not latest["suppressed"]
    before = {i["code"]: i for i in previous["items"]} if comparable else {}

    rows, unnamed = [], []
    for item in latest["items"]:
        code = item["code"]
        row = {**item, "label": labels.get(code, item["label"]),
               "inventory": inventory_reading(evaluation, inventory.get(code)),
               "projects": projects.get(code, []), "decision": decisions.get(code),
               "suggestions": grouped.get(code, 0), "change": None, "timing": []}
        if comparable:
            row["change"] = change_between(before.get(code), previous["respondents"], item, latest["respondents"])
            row["timing"] = [t for t in (_project_timing(p, previous, latest) for p in row["projects"]) if t]
        if item["count"] > 0 or row["projects"] or row["decision"]:
            rows.append(row)
        else:
            unnamed.append(row)
    walk = walk_coverage(session, circle.id, [row["code"] for row in rows])
    for row in rows:
        row["far"] = far_reading(walk, row["code"])
    return {"latest": latest, "previous": previous, "comparable": comparable, "items": rows, "unnamed": unnamed,
            "walking": latest["walking"], "inventory": evaluation, "labels": labels, "walk_coverage": walk}


def walk_coverage(session: Session, circle_id: int, codes: list[str]) -> dict | None:
    """The 15-minute coverage of the required types and ``codes`` (as a plain document), or None
    while the circle has no community point."""
    found = circle_coverage(session, circle_id, extra_types=tuple(codes))
    return coverage_document(found) if found is not None and found["has_points"] else None


def demand_item(listing: dict, code: str) -> dict | None:
    for row in listing["items"] + listing["unnamed"]:
        if row["code"] == code:
            return row
    return None


# --- suggestions -------------------------------------------------------------------------------

def _suggestion_conditions(demand: dict):
    text = Response.answers[SUGGESTION_QUESTION].as_string()
    conditions = [Response.campaign_id == demand["campaign"]["id"], Response.exclusion.is_(None),
                  text.is_not(None), text != ""]
    cutoff = demand["cutoff_seconds"]
    if cutoff is not None:
        # The same completion-time rule as the summary: too-fast online answers do not count.
        conditions.append(or_(Response.channel != "qr", Response.speed_exempt.is_(True),
                              Response.duration_seconds.is_(None), Response.duration_seconds >= cutoff))
    return text, conditions


def suggestions_shown(demand: dict | None) -> bool:
    """Suggestions are shown only when the survey has at least MIN_GROUP valid responses:
    with fewer, a single sentence may point at one household."""
    return bool(demand and demand["has_suggestions"] and demand["valid"] >= MIN_GROUP)


def suggestions(session: Session, circle_id: int, demand: dict | None) -> list[dict]:
    """The open suggestions of the latest campaign's valid responses, with how the officer
    sorted them. Only the suggestion text is read, never the rest of the response."""
    if not suggestions_shown(demand):
        return []
    text, conditions = _suggestion_conditions(demand)
    rows = session.exec(
        select(Response.id, text, SuggestionTriage)
        .outerjoin(SuggestionTriage, SuggestionTriage.response_id == Response.id)
        .where(*conditions).order_by(Response.id)).all()
    hiders = {t.hidden_by for _id, _text, t in rows if t is not None and t.hidden_by}
    names = {u.id: u.display_name for u in session.exec(select(User).where(User.id.in_(hiders)))} if hiders else {}
    result = []
    for response_id, body, triage in rows:
        body = (body or "").strip()
        if not body:
            continue
        result.append({
            "id": response_id, "text": body,
            "type_code": triage.type_code if triage else None,
            "hidden": bool(triage and triage.hidden),
            "hidden_by": names.get(triage.hidden_by, "（账号已删除）") if triage and triage.hidden else None,
            "hidden_at": triage.hidden_at if triage and triage.hidden else None,
        })
    return result


def suggestion_counts(session: Session, circle_id: int, demand: dict | None) -> dict[str, int]:
    """Visible suggestions grouped under each demand."""
    counts: dict[str, int] = {}
    for item in suggestions(session, circle_id, demand):
        if item["type_code"] and not item["hidden"]:
            counts[item["type_code"]] = counts.get(item["type_code"], 0) + 1
    return counts


def suggestion_of_circle(session: Session, circle_id: int, response_id: int) -> Response | None:
    """The response (for its id only) if it belongs to one of the circle's campaigns."""
    response = session.get(Response, response_id)
    if response is None:
        return None
    campaign = session.get(Campaign, response.campaign_id)
    return response if campaign is not None and campaign.circle_id == circle_id else None


# --- projects ----------------------------------------------------------------------------------

def _project_doc(project: CommunityProject, demands: list[str], labels: dict[str, str]) -> dict:
    return {
        "id": project.id, "title": project.title, "type_code": project.type_code,
        "type_label": labels.get(project.type_code, project.type_code), "action": project.action,
        "responsible": project.responsible, "planned_on": project.planned_on, "status": project.status,
        "status_label": PROJECT_STATUS_LABELS.get(project.status, project.status),
        "completed_on": project.completed_on, "updated_at": project.updated_at,
        "demands": [{"code": c, "label": labels.get(c, c)} for c in demands],
    }


def _links(session: Session, project_ids: list[int]) -> dict[int, list[str]]:
    links: dict[int, list[str]] = {pid: [] for pid in project_ids}
    if project_ids:
        for link in session.exec(select(ProjectDemand).where(ProjectDemand.project_id.in_(project_ids))
                                 .order_by(ProjectDemand.type_code)):
            links[link.project_id].append(link.type_code)
    return links


def projects(session: Session, circle_id: int, labels: dict[str, str] | None = None) -> list[dict]:
    """The 项目清单, newest first, each with its demands and latest note."""
    labels = labels if labels is not None else type_labels(session, circle_id)
    rows = session.exec(select(CommunityProject).where(CommunityProject.circle_id == circle_id)
                        .order_by(CommunityProject.id.desc())).all()
    links = _links(session, [p.id for p in rows])
    latest_notes: dict[int, ProjectNote] = {}
    if rows:
        for note in session.exec(select(ProjectNote).where(ProjectNote.project_id.in_([p.id for p in rows]))
                                 .order_by(ProjectNote.noted_on, ProjectNote.id)):
            latest_notes[note.project_id] = note
    result = []
    for project in rows:
        doc = _project_doc(project, links[project.id], labels)
        note = latest_notes.get(project.id)
        doc["last_note"] = {"noted_on": note.noted_on, "text": note.text} if note else None
        result.append(doc)
    return result


def projects_by_demand(session: Session, circle_id: int, labels: dict[str, str]) -> dict[str, list[dict]]:
    by_code: dict[str, list[dict]] = {}
    for project in projects(session, circle_id, labels):
        for demand in project["demands"]:
            by_code.setdefault(demand["code"], []).append(project)
    return by_code


def project_of_circle(session: Session, circle_id: int, project_id: int) -> CommunityProject | None:
    project = session.get(CommunityProject, project_id)
    return project if project is not None and project.circle_id == circle_id else None


def project_detail(session: Session, project: CommunityProject, labels: dict[str, str]) -> dict:
    doc = _project_doc(project, _links(session, [project.id])[project.id], labels)
    notes = session.exec(select(ProjectNote, User.display_name)
                         .outerjoin(User, User.id == ProjectNote.user_id)
                         .where(ProjectNote.project_id == project.id)
                         .order_by(ProjectNote.noted_on.desc(), ProjectNote.id.desc())).all()
    doc["notes"] = [{"noted_on": n.noted_on, "text": n.text, "by": name or "—",
                     "status_label": PROJECT_STATUS_LABELS.get(n.status) if n.status else None}
                    for n, name in notes]
    return doc


def decisions_of(session: Session, circle_id: int) -> dict[str, dict]:
    rows = session.exec(select(DemandDecision, User.display_name)
                        .outerjoin(User, User.id == DemandDecision.decided_by)
                        .where(DemandDecision.circle_id == circle_id)).all()
    return {d.type_code: {"reason": d.reason, "by": name or "—", "at": d.decided_at} for d, name in rows}
