from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user
from sqlmodel import select

import reports

from ..auth.access import campaign_or_404, evaluation_or_404
from ..campaigns.qr import public_url
from ..circles.queries import get_circle
from ..db import get_session
from ..downloads import file_response
from ..models import Campaign, Evaluation, IssuedReport
from ..questionnaire.registry import questionnaire_by_hash
from ..timezones import local_date, local_today
from .data import ReportUnavailable, evaluation_campaign, fingerprint, report_data
from .operations import KINDS, PREVIEW_NUMBER, download_name, issue, render

bp = Blueprint("reporting", __name__, url_prefix="/staff")


@bp.route("/campaigns/<int:campaign_id>/preview/<kind>")
def preview(campaign_id: int, kind: str):
    """The report as the data stands now, marked 预览（未签发）."""
    if kind not in ("campaign_report", "summary_sheet_pdf", "summary_sheet_xlsx"):
        abort(404)
    campaign = campaign_or_404(campaign_id)
    data = report_data(get_session(), campaign)
    content = render(kind, data, report_number=PREVIEW_NUMBER, issued_on=local_today(),
                     assessor=current_user.display_name, data_fingerprint=fingerprint(data))
    media_type, extension, title = KINDS[kind]
    return file_response(content, media_type, f"{title}-预览.{extension}", inline=extension == "pdf")


@bp.route("/campaigns/<int:campaign_id>/poster.pdf")
def poster(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    circle = get_circle(get_session(), campaign.circle_id)
    questionnaire = questionnaire_by_hash(get_session(), campaign.questionnaire_hash)
    content = reports.qr_poster(circle_name=circle.name, url=public_url(current_app.config["BASE_URL"], campaign.token),
                                closes_on=local_date(campaign.closes_at), questionnaire_title=questionnaire.title)
    return file_response(content, "application/pdf", f"{circle.name}-二维码海报.pdf")


@bp.route("/campaigns/<int:campaign_id>/reports", methods=["POST"])
def issue_campaign(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    kind = request.form.get("kind", "campaign_report")
    if kind not in ("campaign_report", "summary_sheet_pdf", "summary_sheet_xlsx"):
        abort(400)
    issued = issue(get_session(), kind, campaign, None, user_id=current_user.id,
                   issuer_name=current_user.display_name, issued_on=local_today())
    flash(f"已签发 {download_name(issued)}（编号 {issued.report_number}）。", "info")
    return redirect(url_for("results.dashboard", campaign_id=campaign.id, _anchor="reports"))


@bp.route("/evaluations/<int:evaluation_id>/reports", methods=["POST"])
def issue_evaluation(evaluation_id: int):
    evaluation = evaluation_or_404(evaluation_id)
    db = get_session()
    try:
        campaign = evaluation_campaign(db, evaluation)
    except ReportUnavailable as exc:
        flash(str(exc), "error")
        return redirect(url_for("evaluation.sheet", evaluation_id=evaluation.id))
    issued = issue(db, "evaluation_report", campaign, evaluation, user_id=current_user.id,
                   issuer_name=current_user.display_name, issued_on=local_today())
    flash(f"已签发评价报告（编号 {issued.report_number}）。", "info")
    return redirect(url_for("evaluation.sheet", evaluation_id=evaluation.id, _anchor="reports"))


@bp.route("/reports/<int:report_id>")
def download(report_id: int):
    """An issued report, byte for byte as it was issued."""
    db = get_session()
    issued = db.get(IssuedReport, report_id)
    if issued is None or issued.campaign_id is None:
        abort(404)
    campaign_or_404(issued.campaign_id)
    return file_response(issued.content, issued.media_type, download_name(issued),
                 inline=issued.media_type == "application/pdf")


def issued_reports(session, *, campaign_id: int | None = None, evaluation_id: int | None = None) -> list[dict]:
    """Issued reports with whether the data has moved on since (for the staff pages)."""
    query = select(IssuedReport).order_by(IssuedReport.id.desc())
    if evaluation_id is not None:
        query = query.where(IssuedReport.evaluation_id == evaluation_id)
    else:
        query = query.where(IssuedReport.campaign_id == campaign_id, IssuedReport.evaluation_id.is_(None))
    rows = session.exec(query).all()
    current: dict = {}
    result = []
    for issued in rows:
        key = (issued.campaign_id, issued.evaluation_id)
        if key not in current:
            evaluation = session.get(Evaluation, issued.evaluation_id) if issued.evaluation_id else None
            current[key] = fingerprint(report_data(session, session.get(Campaign, issued.campaign_id), evaluation))
        result.append({"report": issued, "name": download_name(issued), "moved_on": current[key] != issued.data_fingerprint})
    return result
