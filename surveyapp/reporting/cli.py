"""``surveyapp report``: the evaluation report, the 汇总表 or the QR poster as a file."""
from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

import reports

from ..appsettings.operations import assessor_firm
from ..campaigns.qr import public_url
from sqlmodel import select

from ..db import session_scope
from ..evaluation import states
from ..evaluation.operations import EvaluationError, IncompleteEvaluation
from ..models import Campaign, Circle, Evaluation, IssuedReport
from ..questionnaire.kinds import survey_kind
from ..questionnaire.registry import questionnaire_by_hash
from ..timezones import local_date, local_today
from .data import fingerprint, report_data
from .operations import (KINDS, PREVIEW_NUMBER, ReportRefused, check_campaign_kind, download_name,
                         evaluation_campaign, issue, issue_evaluation, render, replaced_by, standing,
                         withdraw_report)


def _issued_of(session, evaluation):
    return session.exec(select(IssuedReport).where(IssuedReport.evaluation_id == evaluation.id)
                        .order_by(IssuedReport.id.desc())).first()


def _report_by_number(session, number: str) -> IssuedReport:
    issued = session.exec(select(IssuedReport).where(IssuedReport.report_number == number)).first()
    if issued is None:
        raise click.ClickException(f"报告 {number} 不存在")
    return issued


def _missing_text(exc: IncompleteEvaluation) -> str:
    lines = ["这一轮评价还不完整，不能签发。缺少："]
    lines += [f"  - {gap.message}" for gap in exc.gaps]
    return "\n".join(lines)


@click.command("report")
@click.option("--campaign", "campaign_id", type=int, help="Report on a resident campaign.")
@click.option("--evaluation", "evaluation_id", type=int, help="Report on an evaluation round (with its campaign).")
@click.option("--summary-sheet", is_flag=True, help="The 汇总表 instead of the full report (.pdf or .xlsx by --out).")
@click.option("--poster", is_flag=True, help="The campaign's A4 QR poster.")
@click.option("--issue", "issue_it", is_flag=True,
              help="Issue (freeze) the report: numbered, fingerprinted, stored. A round must be complete.")
@click.option("--replaces", "replaces_number", default=None,
              help="With --issue on a campaign: correct this issued report (its number); needs --reason.")
@click.option("--reason", default="", help="Why the report is corrected (printed on it).")
@click.option("--by", "issuer", default="", help="Name printed as the assessor.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def report_command(campaign_id, evaluation_id, summary_sheet, poster, issue_it, replaces_number, reason, issuer, out):
    """Write a report file; with --issue it is also frozen and numbered.

    Without --issue the file is a preview: every page is marked 预览 · 未签发."""
    out_path = Path(out)
    with session_scope() as session:
        evaluation = None
        if evaluation_id is not None:
            evaluation = session.get(Evaluation, evaluation_id)
            if evaluation is None:
                raise click.ClickException(f"评价 {evaluation_id} 不存在")
            try:
                campaign = evaluation_campaign(session, evaluation)
            except ReportRefused as exc:
                raise click.ClickException(str(exc)) from exc
        elif campaign_id is not None:
            campaign = session.get(Campaign, campaign_id)
            if campaign is None:
                raise click.ClickException(f"问卷调查 {campaign_id} 不存在")
        else:
            raise click.ClickException("请用 --campaign 或 --evaluation 指定报告对象")

        if poster:
            circle = session.get(Circle, campaign.circle_id)
            questionnaire = questionnaire_by_hash(session, campaign.questionnaire_hash)
            wording = survey_kind(campaign.kind).poster
            content = reports.qr_poster(
                circle_name=circle.name, url=public_url(current_app.config["BASE_URL"], campaign.token),
                closes_on=local_date(campaign.closes_at), questionnaire_title=questionnaire.title,
                kicker=wording.title, invitation=wording.body, note=wording.hint)
            out_path.write_bytes(content)
            click.echo(f"已写出二维码海报 {out_path}")
            return

        if summary_sheet:
            kind = "summary_sheet_xlsx" if out_path.suffix.lower() == ".xlsx" else "summary_sheet_pdf"
        else:
            kind = "evaluation_report" if evaluation is not None else "campaign_report"
        if kind != "evaluation_report":
            try:
                check_campaign_kind(campaign, kind)
            except ReportRefused as exc:
                raise click.ClickException(str(exc)) from exc
        replaces = None
        if replaces_number:
            if kind == "evaluation_report" or not issue_it:
                raise click.ClickException("--replaces 只用于签发问卷调查的报告（与 --issue 一起）；评价报告请用 "
                                           "surveyapp evaluation correct")
            replaces = _report_by_number(session, replaces_number)
        if issue_it:
            try:
                if kind == "evaluation_report":
                    issued = issue_evaluation(session, evaluation, user_id=None, issuer_name=issuer,
                                              issued_on=local_today())
                else:
                    issued = issue(session, kind, campaign, None, user_id=None, issuer_name=issuer,
                                   issued_on=local_today(), replaces=replaces, reason=reason)
            except IncompleteEvaluation as exc:
                raise click.ClickException(_missing_text(exc)) from exc
            except (ReportRefused, EvaluationError) as exc:
                raise click.ClickException(str(exc)) from exc
            content, number, print_fingerprint = issued.content, issued.report_number, issued.data_fingerprint
        elif kind == "evaluation_report" and states.state(evaluation.state).frozen and _issued_of(session, evaluation):
            # An issued round's report is the issued file, byte for byte (never a new rendering).
            issued = _issued_of(session, evaluation)
            content, number, print_fingerprint = issued.content, issued.report_number, issued.data_fingerprint
        else:
            data = report_data(session, campaign, evaluation if kind == "evaluation_report" else None)
            print_fingerprint = fingerprint(data)
            number = PREVIEW_NUMBER
            content = render(kind, data, report_number=number, issued_on=local_today(), assessor=issuer,
                             data_fingerprint=print_fingerprint, preview=True, firm=assessor_firm(session))
    out_path.write_bytes(content)
    click.echo(json.dumps({"out": str(out_path), "kind": kind, "report_number": number, "bytes": len(content),
                           "fingerprint": print_fingerprint, "issued": issue_it}, ensure_ascii=False))


@click.group("reports")
def reports_group():
    """Issued reports: list them with their standing, withdraw a campaign report."""


@reports_group.command("list")
@click.option("--campaign", "campaign_id", type=int, required=True)
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def list_reports(campaign_id, as_json):
    """Every report issued for a campaign (its rounds' evaluation reports too), newest first."""
    with session_scope() as session:
        rows = session.exec(select(IssuedReport).where(IssuedReport.campaign_id == campaign_id)
                            .order_by(IssuedReport.id.desc())).all()
        out = []
        for issued in rows:
            replaces = session.get(IssuedReport, issued.replaces_id) if issued.replaces_id else None
            newer = replaced_by(session, issued)
            code = standing(issued, newer)
            out.append({"number": issued.report_number, "kind": issued.kind, "title": KINDS[issued.kind].title,
                        "file": download_name(issued), "state": code, "state_label": states.label(code),
                        "issued_on": issued.issued_on.isoformat(), "sha256": issued.sha256,
                        "data_fingerprint": issued.data_fingerprint, "frozen": issued.document is not None
                        or issued.evaluation_id is not None,
                        "replaces": replaces.report_number if replaces else None,
                        "correction_reason": issued.correction_reason or None,
                        "replaced_by": newer.report_number if newer else None,
                        "replaced_because": (newer.correction_reason or None) if newer else None,
                        "withdrawn_reason": issued.withdrawn_reason or None})
    if as_json:
        click.echo(json.dumps({"campaign": campaign_id, "reports": out}, ensure_ascii=False))
        return
    for row in out:
        click.echo(f"{row['number']}  {row['file']}  {row['state_label']}  {row['issued_on']}"
                   + (f"  取代 {row['replaces']}（{row['correction_reason']}）" if row["replaces"] else "")
                   + (f"  被 {row['replaced_by']} 取代（{row['replaced_because']}）" if row["replaced_by"] else "")
                   + (f"  撤回理由：{row['withdrawn_reason']}" if row["withdrawn_reason"] else ""))


@reports_group.command("withdraw")
@click.argument("number")
@click.option("--reason", required=True, help="Why (kept with the report and in the audit log).")
@with_appcontext
def withdraw_command(number, reason):
    """已签发 → 已撤回 for a 满意度调查报告 or 汇总表; the file is kept (an evaluation report:
    surveyapp evaluation withdraw)."""
    with session_scope() as session:
        issued = _report_by_number(session, number)
        try:
            withdraw_report(session, issued, reason)
        except ReportRefused as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"已撤回 {number}")
