"""Reads: the data document a report is rendered from, and its fingerprint."""
from __future__ import annotations

import copy
import hashlib
import json

from sqlmodel import Session, select

from ..locations.queries import circle_coverage, coverage_document
from ..merchants.queries import report_summary
from ..models import Campaign, Circle, Evaluation
from ..results.service import summary_for


def live_report_data(session: Session, campaign: Campaign, evaluation: Evaluation | None = None) -> dict:
    """Everything a campaign (or evaluation) report shows, as one JSON-able document, from the
    current data. An evaluation reads the campaign with its own rules file's sample rule."""
    from ..evaluation.service import live_sheet, survey_summary

    circle = session.get(Circle, campaign.circle_id)
    if evaluation is not None:
        summary = survey_summary(session, evaluation, campaign)
        sheet = live_sheet(session, evaluation)
    else:
        summary, sheet = summary_for(session, campaign), None
    data = {
        "summary": summary,
        "circle": {"id": circle.id, "name": circle.name, "population": circle.population, "city_tier": circle.city_tier},
        "questionnaire_title": summary["campaign"].get("title"),
        "evaluation": sheet,
        "rules_trial": True if sheet is None else bool(sheet["rules"]["trial"]),
        "rules_version": None if sheet is None else f'{sheet["rules"]["name"]} {sheet["rules"]["version"]}',
    }
    from ..community.queries import projects as project_list

    # The 项目清单 (even empty): the 结论与建议 chapter says whether a top demand has a project.
    data["projects"] = [{"title": p["title"], "type_code": p["type_code"], "status_label": p["status_label"],
                         "demands": [d["code"] for d in p["demands"]]}
                        for p in project_list(session, circle.id)]
    merchants = report_summary(session, circle.id)
    if merchants is not None:  # only circles with an outlet inventory: other reports' data stay as they were
        data["merchants"] = merchants
    coverage = circle_coverage(session, circle.id, evaluation=evaluation)
    if coverage is not None and coverage["has_points"]:  # likewise: only circles with community points
        data["walk_coverage"] = coverage_document(coverage)
    return data


def report_data(session: Session, campaign: Campaign, evaluation: Evaluation | None = None) -> dict:
    """The report's data: frozen for an issued (withdrawn, corrected) round, current otherwise."""
    if evaluation is not None:
        from ..evaluation.service import frozen_document
        from ..evaluation.states import state

        if state(evaluation.state).frozen:
            frozen = frozen_document(session, evaluation)
            if frozen is not None:
                return copy.deepcopy(frozen["report_data"])
    return live_report_data(session, campaign, evaluation)


def fingerprint(data: dict) -> str:
    """SHA-256 of the data in a canonical JSON form: the same data always gives the same
    fingerprint, and any change in a figure gives another."""
    canonical = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def latest_evaluation_of(session: Session, campaign: Campaign) -> Evaluation | None:
    return session.exec(select(Evaluation).where(Evaluation.campaign_id == campaign.id)
                        .order_by(Evaluation.round.desc())).first()
