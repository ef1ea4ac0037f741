"""Rendering and issuing reports. Issuing freezes the bytes with what they were made from."""
from __future__ import annotations

import hashlib
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

import reports

from ..audit.operations import record
from ..models import Campaign, Evaluation, IssuedReport
from ..models.timeutil import utcnow
from .data import fingerprint, report_data

KINDS = {
    "campaign_report": ("application/pdf", "pdf", "评价报告"),
    "evaluation_report": ("application/pdf", "pdf", "评价报告"),
    "summary_sheet_pdf": ("application/pdf", "pdf", "汇总表"),
    "summary_sheet_xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", "汇总表"),
}
PREVIEW_NUMBER = "预览（未签发）"


def render(kind: str, data: dict, *, report_number: str, issued_on: date, assessor: str, data_fingerprint: str) -> bytes:
    """The report's bytes: a pure function of its arguments (the reports package is deterministic)."""
    common = dict(circle=data["circle"], assessor=assessor, report_number=report_number, issued_on=issued_on,
                  fingerprint=data_fingerprint, rules_trial=data["rules_trial"])
    summary = data["summary"]
    if kind in ("campaign_report", "evaluation_report"):
        evaluation = data["evaluation"] if kind == "evaluation_report" else None
        return reports.campaign_report(summary, evaluation=evaluation, questionnaire_title=data["questionnaire_title"],
                                       evaluation_round=evaluation["evaluation"]["round"] if evaluation else None,
                                       merchants=data.get("merchants"), walk_coverage=data.get("walk_coverage"), **common)
    if kind == "summary_sheet_pdf":
        return reports.summary_sheet_pdf(summary, questionnaire_title=data["questionnaire_title"], **common)
    if kind == "summary_sheet_xlsx":
        return reports.summary_sheet_xlsx(summary, **common)
    raise ValueError(f"unknown report kind {kind!r}")


def next_report_number(session: Session, issued_on: date) -> str:
    """PJ-<year>-<sequence within the year>: readable, unique, in issue order."""
    prefix = f"PJ-{issued_on.year}-"
    count = session.exec(select(func.count()).select_from(IssuedReport)
                         .where(IssuedReport.report_number.startswith(prefix))).one()
    return f"{prefix}{count + 1:04d}"


def issue(session: Session, kind: str, campaign: Campaign, evaluation: Evaluation | None, *,
          user_id: int | None, issuer_name: str, issued_on: date) -> IssuedReport:
    """Render the report from the current data and freeze it."""
    if kind not in KINDS:
        raise ValueError(f"unknown report kind {kind!r}")
    data = report_data(session, campaign, evaluation if kind == "evaluation_report" else None)
    print_fingerprint = fingerprint(data)
    number = next_report_number(session, issued_on)
    content = render(kind, data, report_number=number, issued_on=issued_on, assessor=issuer_name,
                     data_fingerprint=print_fingerprint)
    issued = IssuedReport(
        kind=kind, report_number=number, campaign_id=campaign.id,
        evaluation_id=evaluation.id if evaluation is not None and kind == "evaluation_report" else None,
        media_type=KINDS[kind][0], content=content, sha256=hashlib.sha256(content).hexdigest(),
        data_fingerprint=print_fingerprint, rules_version=data["rules_version"], issued_by=user_id,
        issued_by_name=issuer_name, issued_on=issued_on, issued_at=utcnow(),
    )
    session.add(issued)
    session.flush()
    record(session, "report.issue", summary=f"签发{KINDS[kind][2]} {number}", target_type="report",
           target_id=issued.id, circle_id=campaign.circle_id,
           after={"kind": kind, "number": number, "sha256": issued.sha256, "data_fingerprint": print_fingerprint,
                  "campaign_id": campaign.id, "evaluation_id": issued.evaluation_id})
    session.commit()
    return issued


def rerender(session: Session, issued: IssuedReport) -> tuple[bytes, str]:
    """Render an issued report again from today's data (same number, date and issuer):
    identical bytes while the data has not moved on."""
    campaign = session.get(Campaign, issued.campaign_id)
    evaluation = session.get(Evaluation, issued.evaluation_id) if issued.evaluation_id else None
    data = report_data(session, campaign, evaluation)
    current = fingerprint(data)
    content = render(issued.kind, data, report_number=issued.report_number, issued_on=issued.issued_on,
                     assessor=issued.issued_by_name, data_fingerprint=current)
    return content, current


def download_name(issued: IssuedReport) -> str:
    return f"{issued.report_number}-{KINDS[issued.kind][2]}.{KINDS[issued.kind][1]}"
