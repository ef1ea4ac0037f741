"""``surveyapp report``: the evaluation report, the 汇总表 or the QR poster as a file."""
from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

import reports

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
from .operations import (PREVIEW_NUMBER, ReportRefused, check_campaign_kind, evaluation_campaign, issue,
                         issue_evaluation, render)


def _issued_of(session, evaluation):
    return session.exec(select(IssuedReport).where(IssuedReport.evaluation_id == evaluation.id)
                        .order_by(IssuedReport.id.desc())).first()


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
@click.option("--by", "issuer", default="", help="Name printed as the assessor.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def report_command(campaign_id, evaluation_id, summary_sheet, poster, issue_it, issuer, out):
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
        if issue_it:
            try:
                if kind == "evaluation_report":
                    issued = issue_evaluation(session, evaluation, user_id=None, issuer_name=issuer,
                                              issued_on=local_today())
                else:
                    issued = issue(session, kind, campaign, None, user_id=None, issuer_name=issuer,
                                   issued_on=local_today())
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
                             data_fingerprint=print_fingerprint, preview=True)
    out_path.write_bytes(content)
    click.echo(json.dumps({"out": str(out_path), "kind": kind, "report_number": number, "bytes": len(content),
                           "fingerprint": print_fingerprint, "issued": issue_it}, ensure_ascii=False))
