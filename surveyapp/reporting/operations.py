"""Rendering and issuing reports. Issuing freezes the bytes with what they were made from.

Numbers are per kind of document (``KINDS``): MY- for the 满意度调查报告 of a resident
survey, PJ- for the 评价报告 of an evaluation round, HZ- for the 汇总表; file names say which.
An evaluation round is issued only when it is complete (``surveyapp.evaluation.completeness``);
issuing freezes every input of the round (``FrozenEvaluation``) so it never changes again. A
correction is issued under a new number that names the report it replaces.
"""
from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

import reports

from ..appsettings.operations import assessor_firm
from ..audit.operations import record
from ..evaluation import states
from ..evaluation.completeness import gaps
from ..evaluation.operations import EvaluationError, IncompleteEvaluation, set_state
from ..models import Campaign, Evaluation, FrozenEvaluation, IssuedReport
from ..models.timeutil import utcnow
from ..questionnaire.kinds import survey_kind
from .data import fingerprint, live_report_data, report_data


@dataclass(frozen=True)
class ReportKind:
    media_type: str
    extension: str
    title: str
    prefix: str


PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KINDS = {
    "campaign_report": ReportKind(PDF, "pdf", "满意度调查报告", "MY"),
    "evaluation_report": ReportKind(PDF, "pdf", "评价报告", "PJ"),
    "summary_sheet_pdf": ReportKind(PDF, "pdf", "汇总表", "HZ"),
    "summary_sheet_xlsx": ReportKind(XLSX, "xlsx", "汇总表", "HZ"),
}
PREVIEW_NUMBER = "预览（未签发）"


class ReportRefused(ValueError):
    """A report that may not be made for this object; the message is for the user."""


def check_campaign_kind(campaign: Campaign, kind: str) -> None:
    """A campaign report or 汇总表 exists only for surveys whose kind has it (residents)."""
    survey = survey_kind(campaign.kind)
    if kind not in survey.reports:
        raise ReportRefused(f"问卷调查 #{campaign.id} 是{survey.label}，没有满意度调查报告或汇总表")


def render(kind: str, data: dict, *, report_number: str, issued_on: date, assessor: str, data_fingerprint: str,
           preview: bool = False, corrects: str | None = None, correction_reason: str | None = None,
           firm: str | None = None) -> bytes:
    """The report's bytes: a pure function of its arguments (the reports package is deterministic).

    ``preview`` marks every page 预览 · 未签发; ``corrects`` is the number of the report a
    correction replaces, ``correction_reason`` why; ``firm`` the 评价机构 printed, ``assessor``
    then the 项目负责人 (``None``: reports issued before firms were set). Each entry point gets
    the same options."""
    common = dict(circle=data["circle"], assessor=assessor, report_number=report_number, issued_on=issued_on,
                  fingerprint=data_fingerprint, rules_trial=data["rules_trial"])
    options = {"preview": preview, "corrects": corrects, "correction_reason": correction_reason, "firm": firm}
    summary = data["summary"]
    if kind in ("campaign_report", "evaluation_report"):
        evaluation = data["evaluation"] if kind == "evaluation_report" else None
        return reports.campaign_report(summary, evaluation=evaluation, questionnaire_title=data["questionnaire_title"],
                                       evaluation_round=evaluation["evaluation"]["round"] if evaluation else None,
                                       merchants=data.get("merchants"), walk_coverage=data.get("walk_coverage"),
                                       projects=data.get("projects"), **common,
                                       **options)
    if kind == "summary_sheet_pdf":
        return reports.summary_sheet_pdf(summary, questionnaire_title=data["questionnaire_title"], **common,
                                         **options)
    if kind == "summary_sheet_xlsx":
        return reports.summary_sheet_xlsx(summary, **common, **options)
    raise ValueError(f"unknown report kind {kind!r}")


def next_report_number(session: Session, kind: str, issued_on: date) -> str:
    """<prefix>-<year>-<sequence of that prefix within the year>: readable, unique, in issue order."""
    prefix = f"{KINDS[kind].prefix}-{issued_on.year}-"
    count = session.exec(select(func.count()).select_from(IssuedReport)
                         .where(IssuedReport.report_number.startswith(prefix))).one()
    return f"{prefix}{count + 1:04d}"


def _store(session: Session, kind: str, data: dict, campaign: Campaign, evaluation: Evaluation | None, *,
           user_id: int | None, issuer_name: str, issued_on: date, replaces: IssuedReport | None = None,
           correction_reason: str | None = None) -> IssuedReport:
    print_fingerprint = fingerprint(data)
    number = next_report_number(session, kind, issued_on)
    firm = assessor_firm(session)   # frozen with the report: a later change of the setting leaves it
    content = render(kind, data, report_number=number, issued_on=issued_on, assessor=issuer_name,
                     data_fingerprint=print_fingerprint, corrects=replaces.report_number if replaces else None,
                     correction_reason=correction_reason if replaces else None, firm=firm)
    issued = IssuedReport(
        kind=kind, report_number=number, campaign_id=campaign.id,
        document=data if evaluation is None else None, correction_reason=(correction_reason or "") if replaces else "",
        evaluation_id=evaluation.id if evaluation is not None else None,
        media_type=KINDS[kind].media_type, content=content, sha256=hashlib.sha256(content).hexdigest(),
        data_fingerprint=print_fingerprint, rules_version=data["rules_version"], issued_by=user_id,
        issued_by_name=issuer_name, issued_by_firm=firm, issued_on=issued_on, issued_at=utcnow(),
        replaces_id=replaces.id if replaces else None,
    )
    session.add(issued)
    session.flush()
    record(session, "report.issue", summary=f"签发{KINDS[kind].title} {number}"
           + (f"（更正 {replaces.report_number}）" if replaces else ""), target_type="report",
           target_id=issued.id, circle_id=campaign.circle_id,
           after={"kind": kind, "number": number, "sha256": issued.sha256, "data_fingerprint": print_fingerprint,
                  "campaign_id": campaign.id, "evaluation_id": issued.evaluation_id, "assessor_firm": firm,
                  "replaces": replaces.report_number if replaces else None})
    return issued


def issue(session: Session, kind: str, campaign: Campaign, evaluation: Evaluation | None, *,
          user_id: int | None, issuer_name: str, issued_on: date, replaces: IssuedReport | None = None,
          reason: str = "") -> IssuedReport:
    """Issue a campaign's report or 汇总表 (an evaluation report: :func:`issue_evaluation`):
    numbered, rendered and frozen with its data document. With ``replaces`` it is a correction
    of that report (same campaign and kind, still standing) and ``reason`` is required."""
    if kind not in KINDS:
        raise ValueError(f"unknown report kind {kind!r}")
    if kind == "evaluation_report":
        if evaluation is None:
            raise ValueError("an evaluation report needs its evaluation")
        return issue_evaluation(session, evaluation, user_id=user_id, issuer_name=issuer_name, issued_on=issued_on)
    check_campaign_kind(campaign, kind)
    reason = (reason or "").strip()
    if replaces is not None:
        check_correctable(session, replaces, campaign, kind)
        if not reason:
            raise ReportRefused("更正时请写明理由")
    issued = _store(session, kind, report_data(session, campaign), campaign, None, user_id=user_id,
                    issuer_name=issuer_name, issued_on=issued_on, replaces=replaces, correction_reason=reason[:1000])
    session.commit()
    return issued


# --- the life of an issued campaign report ------------------------------------------------------
# A campaign report has no round of its own: its standing is read from the report itself with
# the evaluation's states (已签发, 已撤回, 已更正), so pages and labels are the same for both.

def replaced_by(session: Session, issued: IssuedReport) -> IssuedReport | None:
    return session.exec(select(IssuedReport).where(IssuedReport.replaces_id == issued.id)).first()


def standing(issued: IssuedReport, newer: IssuedReport | None) -> str:
    """``withdrawn``, ``corrected`` (``newer``, the report that replaces it, exists) or ``issued``."""
    if issued.withdrawn_at is not None:
        return states.WITHDRAWN
    if newer is not None:
        return states.CORRECTED
    return states.ISSUED


def report_state(session: Session, issued: IssuedReport) -> str:
    """:func:`standing` of ``issued``, looking up the report that replaces it."""
    return standing(issued, replaced_by(session, issued))


def check_correctable(session: Session, issued: IssuedReport, campaign: Campaign, kind: str) -> None:
    if issued.evaluation_id is not None:
        raise ReportRefused(f"{issued.report_number} 是评价报告，请在评分表上更正这一轮评价")
    if issued.campaign_id != campaign.id or issued.kind != kind:
        raise ReportRefused(f"{issued.report_number} 不是这次调查的{KINDS[kind].title}，不能由它更正")
    current = report_state(session, issued)
    if current != states.ISSUED:
        raise ReportRefused(f"{issued.report_number} {states.label(current)}，不能再更正")


def mark_withdrawn(issued: IssuedReport, reason: str, now) -> None:
    """The one way a report is withdrawn (its bytes stay): evaluation rounds use it too."""
    issued.withdrawn_at = now
    issued.withdrawn_reason = reason[:1000]


def withdraw_report(session: Session, issued: IssuedReport, reason: str) -> None:
    """已签发 → 已撤回 for a campaign report: the bytes are kept, marked withdrawn with the reason.
    An evaluation report is withdrawn with its round (``surveyapp.evaluation.operations.withdraw``)."""
    reason = (reason or "").strip()
    if issued.evaluation_id is not None:
        raise ReportRefused(f"{issued.report_number} 是评价报告，请在评分表上撤回这一轮评价")
    current = report_state(session, issued)
    if current != states.ISSUED:
        raise ReportRefused(f"{issued.report_number} {states.label(current)}，不能撤回")
    if not reason:
        raise ReportRefused("撤回时请写明理由")
    mark_withdrawn(issued, reason, utcnow())
    session.add(issued)
    record(session, "report.withdraw", summary=f"撤回{KINDS[issued.kind].title} {issued.report_number}",
           target_type="report", target_id=issued.id,
           circle_id=session.get(Campaign, issued.campaign_id).circle_id if issued.campaign_id else None,
           before={"state": states.ISSUED}, after={"state": states.WITHDRAWN, "reason": reason[:1000]})
    session.commit()


def preview_campaign(session: Session, kind: str, campaign: Campaign, *, assessor: str, issued_on: date,
                     replaces: IssuedReport | None = None, reason: str = "") -> bytes:
    """The exact file issuing would produce today (a correction: naming ``replaces``), marked
    预览 · 未签发 on every page (the XLSX 汇总表 has no pages: it is marked in its title)."""
    check_campaign_kind(campaign, kind)
    data = report_data(session, campaign)
    return render(kind, data, report_number=PREVIEW_NUMBER, issued_on=issued_on, assessor=assessor,
                  data_fingerprint=fingerprint(data), preview=True,
                  corrects=replaces.report_number if replaces else None,
                  correction_reason=(reason or None) if replaces else None, firm=assessor_firm(session))


def evaluation_campaign(session: Session, evaluation: Evaluation) -> Campaign:
    if evaluation.campaign_id is None:
        raise ReportRefused("这一轮评价没有关联居民问卷调查，无法生成评价报告")
    campaign = session.get(Campaign, evaluation.campaign_id)
    survey = survey_kind(campaign.kind)
    if not survey.feeds_satisfaction:
        raise ReportRefused(f"这一轮评价关联的是{survey.label}，不能作为评价报告的满意度来源；请改为居民问卷调查")
    return campaign


def issue_evaluation(session: Session, evaluation: Evaluation, *, user_id: int | None, issuer_name: str,
                     issued_on: date) -> IssuedReport:
    """Number, render and freeze a complete round; a correction replaces the report it names.

    Refuses a round that is not draft or ready, and an incomplete one
    (:class:`IncompleteEvaluation` lists what is missing)."""
    if evaluation.state not in (states.DRAFT, states.READY):
        raise EvaluationError(f"第 {evaluation.round} 轮评价{states.label(evaluation.state)}，不能再次签发")
    missing = gaps(session, evaluation, utcnow())
    if missing:
        raise IncompleteEvaluation(missing)
    campaign = evaluation_campaign(session, evaluation)
    replaced_round = session.get(Evaluation, evaluation.corrects_id) if evaluation.corrects_id else None
    replaces = None
    if replaced_round is not None:
        replaces = session.exec(select(IssuedReport).where(IssuedReport.evaluation_id == replaced_round.id)
                                .order_by(IssuedReport.id.desc())).first()
    data = live_report_data(session, campaign, evaluation)
    issued = _store(session, "evaluation_report", data, campaign, evaluation, user_id=user_id,
                    issuer_name=issuer_name, issued_on=issued_on, replaces=replaces,
                    correction_reason=evaluation.correction_reason or None)
    session.add(FrozenEvaluation(evaluation_id=evaluation.id, document={"sheet": data["evaluation"],
                                                                        "report_data": data},
                                 fingerprint=issued.data_fingerprint, frozen_at=utcnow()))
    if evaluation.state == states.DRAFT:
        set_state(session, evaluation, states.READY, f"第 {evaluation.round} 轮评价提交待签发", action="evaluation.ready")
    set_state(session, evaluation, states.ISSUED, f"签发第 {evaluation.round} 轮评价报告 {issued.report_number}")
    if replaced_round is not None and replaced_round.state == states.ISSUED:
        set_state(session, replaced_round, states.CORRECTED,
                  f"第 {replaced_round.round} 轮评价报告 {replaces.report_number if replaces else ''} 被 "
                  f"{issued.report_number} 更正", reason=evaluation.correction_reason)
    session.commit()
    return issued


def preview_evaluation(session: Session, evaluation: Evaluation, *, assessor: str, issued_on: date) -> bytes:
    """The exact PDF issuing would produce today, marked 预览 · 未签发 on every page."""
    campaign = evaluation_campaign(session, evaluation)
    data = report_data(session, campaign, evaluation)
    replaces = None
    if evaluation.corrects_id:
        old = session.exec(select(IssuedReport).where(IssuedReport.evaluation_id == evaluation.corrects_id)
                           .order_by(IssuedReport.id.desc())).first()
        replaces = old.report_number if old else None
    return render("evaluation_report", data, report_number=PREVIEW_NUMBER, issued_on=issued_on, assessor=assessor,
                  data_fingerprint=fingerprint(data), preview=True, corrects=replaces,
                  correction_reason=(evaluation.correction_reason or None) if replaces else None,
                  firm=assessor_firm(session))


def rerender(session: Session, issued: IssuedReport) -> tuple[bytes, str]:
    """Render an issued report again (same number, date and issuer) from the data it was frozen
    with (a campaign report's document, a round's frozen inputs): the issued bytes. Reports
    issued before documents were kept read the data as it stands."""
    campaign = session.get(Campaign, issued.campaign_id)
    evaluation = session.get(Evaluation, issued.evaluation_id) if issued.evaluation_id else None
    data = copy.deepcopy(issued.document) if issued.document is not None else report_data(session, campaign, evaluation)
    current = fingerprint(data)
    replaces = session.get(IssuedReport, issued.replaces_id) if issued.replaces_id else None
    if evaluation is not None:
        reason = evaluation.correction_reason if replaces else None
    else:
        reason = issued.correction_reason if replaces else None
    content = render(issued.kind, data, report_number=issued.report_number, issued_on=issued.issued_on,
                     assessor=issued.issued_by_name, data_fingerprint=current,
                     corrects=replaces.report_number if replaces else None, correction_reason=reason or None,
                     firm=issued.issued_by_firm)
    return content, current


def download_name(issued: IssuedReport) -> str:
    kind = KINDS[issued.kind]
    return f"{issued.report_number}-{kind.title}.{kind.extension}"
