"""Reads: the data document a report is rendered from, and its fingerprint."""
from __future__ import annotations

import hashlib
import json

from sqlmodel import Session, select

from ..locations.queries import circle_coverage, coverage_document
from ..merchants.queries import report_summary
from ..models import Campaign, Circle, Evaluation
from ..results.service import summary_for


class ReportUnavailable(LookupError):
    """No report can be made (e.g. an evaluation without a resident campaign)."""


def report_data(session: Session, campaign: Campaign, evaluation: Evaluation | None = None) -> dict:
    """Everything a campaign (or evaluation) report shows, as one JSON-able document."""
    from ..evaluation.service import evaluation_sheet

    circle = session.get(Circle, campaign.circle_id)
    summary = summary_for(session, campaign)
    sheet = evaluation_sheet(session, evaluation) if evaluation is not None else None
    data = {
        "summary": summary,
        "circle": {"id": circle.id, "name": circle.name, "population": circle.population, "city_tier": circle.city_tier},
        "questionnaire_title": summary["campaign"].get("title"),
        "evaluation": sheet,
        "rules_trial": True if sheet is None else bool(sheet["rules"]["trial"]),
        "rules_version": None if sheet is None else f'{sheet["rules"]["name"]} {sheet["rules"]["version"]}',
    }
    merchants = report_summary(session, circle.id)
    if merchants is not None:  # only circles with an outlet inventory: other reports' data stay as they were
        data["merchants"] = merchants
    coverage = circle_coverage(session, circle.id, evaluation=evaluation)
    if coverage is not None and coverage["has_points"]:  # likewise: only circles with community points
        data["walk_coverage"] = coverage_document(coverage)
    return data


def evaluation_campaign(session: Session, evaluation: Evaluation) -> Campaign:
    if evaluation.campaign_id is None:
        raise ReportUnavailable("这一轮评价没有关联居民问卷调查，无法生成评价报告")
    return session.get(Campaign, evaluation.campaign_id)


def fingerprint(data: dict) -> str:
    """SHA-256 of the data in a canonical JSON form: the same data always gives the same
    fingerprint, and any change in a figure gives another."""
    canonical = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def latest_evaluation_of(session: Session, campaign: Campaign) -> Evaluation | None:
    return session.exec(select(Evaluation).where(Evaluation.campaign_id == campaign.id)
                        .order_by(Evaluation.round.desc())).first()
