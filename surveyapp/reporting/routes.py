from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlmodel import select
from werkzeug.security import check_password_hash

import reports

from ..appsettings.operations import assessor_firm
from ..auth.access import campaign_or_404, evaluation_or_404
from ..campaigns.qr import public_url
from ..circles.queries import get_circle
from ..db import get_session
from ..downloads import file_response
from ..evaluation import states
from ..evaluation.completeness import gaps
from ..evaluation.operations import EvaluationError, IncompleteEvaluation
from ..models import Campaign, Evaluation, IssuedReport
from ..models.timeutil import utcnow
from ..questionnaire.kinds import survey_kind
from ..questionnaire.registry import questionnaire_by_hash
from ..timezones import local_date, local_today
from .data import fingerprint, report_data
from ..evaluation.forms import ReasonForm
from .operations import (KINDS, ReportRefused, check_campaign_kind, check_correctable, download_name, issue,
                         issue_evaluation, preview_campaign, preview_evaluation, replaced_by, report_state,
                         standing, withdraw_report)

bp = Blueprint("reporting", __name__, url_prefix="/staff")


CAMPAIGN_KINDS = ("campaign_report", "summary_sheet_pdf", "summary_sheet_xlsx")


def _campaign_kind_or_404(campaign: Campaign, kind: str) -> None:
    if kind not in CAMPAIGN_KINDS:
        abort(404)
    try:
        check_campaign_kind(campaign, kind)
    except ReportRefused:
        abort(404)


def _replaced_report(campaign: Campaign, report_id) -> IssuedReport | None:
    """The report a correction replaces (``?replaces=`` / form field), of this campaign only."""
    if report_id in (None, ""):
        return None
    try:
        issued = get_session().get(IssuedReport, int(report_id))
    except (TypeError, ValueError):
        abort(404)
    if issued is None or issued.campaign_id != campaign.id or issued.evaluation_id is not None:
        abort(404)
    return issued


def _confirmation_refused() -> str | None:
    """Why the issuing form does not confirm (None when it does): the assessor ticked that
    they checked the preview and typed their own password. Every kind of report asks this."""
    if request.form.get("previewed") != "yes":
        return "请先打开预览核对报告，并勾选“已核对预览”。"
    if not check_password_hash(current_user.password_hash, request.form.get("password", "")):
        return "密码不正确，报告没有签发。"
    return None


@bp.route("/campaigns/<int:campaign_id>/preview/<kind>")
def preview(campaign_id: int, kind: str):
    """The report as issuing would make it now, marked 预览（未签发）on every page."""
    campaign = campaign_or_404(campaign_id)
    _campaign_kind_or_404(campaign, kind)
    replaces = _replaced_report(campaign, request.args.get("replaces"))
    content = preview_campaign(get_session(), kind, campaign, assessor=current_user.display_name,
                               issued_on=local_today(), replaces=replaces,
                               reason=request.args.get("reason", "") if replaces else "")
    report = KINDS[kind]
    return file_response(content, report.media_type, f"{report.title}-预览.{report.extension}",
                         inline=report.extension == "pdf")


@bp.route("/campaigns/<int:campaign_id>/issue/<kind>")
def campaign_issue_page(campaign_id: int, kind: str):
    """签发 a 满意度调查报告 or 汇总表 step by step, as for an evaluation report: the state of
    the survey, the preview, the confirmation with the password. ``?replaces=`` makes it a
    correction of that report; its reason is asked first (``?reason=``), so that the preview
    already prints it as the issued correction will."""
    campaign = campaign_or_404(campaign_id)
    _campaign_kind_or_404(campaign, kind)
    replaces = _replaced_report(campaign, request.args.get("replaces"))
    return _campaign_issue_page(campaign, kind, replaces, request.args.get("reason", "").strip() if replaces else "")


def _campaign_issue_page(campaign: Campaign, kind: str, replaces: IssuedReport | None, reason: str = "",
                         status: int = 200):
    """The issue page; after a refused confirmation it comes back with the typed reason kept."""
    db = get_session()
    refused = None
    if replaces is not None:
        try:
            check_correctable(db, replaces, campaign, kind)
        except ReportRefused as exc:
            refused = str(exc)
    summary = report_data(db, campaign)["summary"]
    return render_template("reporting/issue_campaign.html", campaign=campaign, kind=kind, report=KINDS[kind],
                           sample=summary["sample"], still_open=campaign.closes_at > utcnow(),
                           replaces=replaces, refused=refused, reason=reason, firm=assessor_firm(db),
                           issued=issued_reports(db, campaign_id=campaign.id)), status


@bp.route("/campaigns/<int:campaign_id>/poster.pdf")
def poster(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    circle = get_circle(get_session(), campaign.circle_id)
    questionnaire = questionnaire_by_hash(get_session(), campaign.questionnaire_hash)
    wording = survey_kind(campaign.kind).poster
    content = reports.qr_poster(circle_name=circle.name, url=public_url(current_app.config["BASE_URL"], campaign.token),
                                closes_on=local_date(campaign.closes_at), questionnaire_title=questionnaire.title,
                                kicker=wording.title, invitation=wording.body, note=wording.hint)
    return file_response(content, "application/pdf", f"{circle.name}-{survey_kind(campaign.kind).label}-二维码海报.pdf")


@bp.route("/campaigns/<int:campaign_id>/reports", methods=["POST"])
def issue_campaign(campaign_id: int):
    """Issue (or correct) a campaign report after the assessor has confirmed with their password."""
    campaign = campaign_or_404(campaign_id)
    kind = request.form.get("kind", "campaign_report")
    if kind not in CAMPAIGN_KINDS:
        abort(400)
    try:
        check_campaign_kind(campaign, kind)   # a merchant survey has no such report: say so, whatever was typed
    except ReportRefused as exc:
        flash(str(exc), "error")
        return redirect(url_for("results.dashboard", campaign_id=campaign.id))
    replaces = _replaced_report(campaign, request.form.get("replaces"))
    reason = request.form.get("reason", "")
    refused = _confirmation_refused()
    if refused:
        flash(refused, "error")
        return _campaign_issue_page(campaign, kind, replaces, reason, 422)
    try:
        issued = issue(get_session(), kind, campaign, None, user_id=current_user.id,
                       issuer_name=current_user.display_name, issued_on=local_today(), replaces=replaces,
                       reason=reason)
    except ReportRefused as exc:
        flash(str(exc), "error")
        return _campaign_issue_page(campaign, kind, replaces, reason, 422)
    flash(f"已签发 {download_name(issued)}（编号 {issued.report_number}）"
          + (f"，更正并取代 {replaces.report_number}" if replaces else "") + "。", "info")
    return redirect(url_for("results.dashboard", campaign_id=campaign.id, _anchor="reports"))


@bp.route("/reports/<int:report_id>/withdraw", methods=["GET", "POST"])
def withdraw_report_page(report_id: int):
    """撤回 an issued campaign report with a reason (an evaluation report goes with its round)."""
    db = get_session()
    issued = db.get(IssuedReport, report_id)
    if issued is None or issued.campaign_id is None:
        abort(404)
    campaign = campaign_or_404(issued.campaign_id)
    if issued.evaluation_id is not None:
        return redirect(url_for("evaluation.withdraw_page", evaluation_id=issued.evaluation_id))
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            withdraw_report(db, issued, form.reason.data)
        except ReportRefused as exc:
            flash(str(exc), "error")
        else:
            flash(f"{issued.report_number} 已撤回；原文件仍可下载，并标明已撤回。", "info")
        return redirect(url_for("results.dashboard", campaign_id=campaign.id, _anchor="reports"))
    return render_template("reporting/withdraw.html", issued=issued, campaign=campaign, form=form,
                           name=download_name(issued), state=states.state(report_state(db, issued))), \
        (422 if form.errors else 200)


@bp.route("/evaluations/<int:evaluation_id>/issue")
def issue_page(evaluation_id: int):
    """签发 step by step: what is missing (with links), the preview, the confirmation."""
    evaluation = evaluation_or_404(evaluation_id)
    db = get_session()
    campaign = db.get(Campaign, evaluation.campaign_id) if evaluation.campaign_id else None
    missing = gaps(db, evaluation, utcnow()) if states.state(evaluation.state).editable else []
    replaces = None
    if evaluation.corrects_id:
        replaces = db.exec(select(IssuedReport).where(IssuedReport.evaluation_id == evaluation.corrects_id)
                           .order_by(IssuedReport.id.desc())).first()
    return render_template("reporting/issue.html", evaluation=evaluation, missing=missing, campaign=campaign,
                           state=states.state(evaluation.state), replaces=replaces, firm=assessor_firm(db),
                           issued=issued_reports(db, evaluation_id=evaluation.id))


@bp.route("/evaluations/<int:evaluation_id>/preview.pdf")
def evaluation_preview(evaluation_id: int):
    """The exact PDF that issuing would produce, with 预览 · 未签发 across every page."""
    evaluation = evaluation_or_404(evaluation_id)
    try:
        content = preview_evaluation(get_session(), evaluation, assessor=current_user.display_name,
                                     issued_on=local_today())
    except ReportRefused as exc:
        flash(str(exc), "error")
        return redirect(url_for("reporting.issue_page", evaluation_id=evaluation.id))
    return file_response(content, "application/pdf", f"第{evaluation.round}轮评价报告-预览.pdf", inline=True)


@bp.route("/evaluations/<int:evaluation_id>/reports", methods=["POST"], endpoint="issue_evaluation")
def issue_evaluation_report(evaluation_id: int):
    """Issue after the assessor has confirmed with their password."""
    evaluation = evaluation_or_404(evaluation_id)
    db = get_session()
    back = redirect(url_for("reporting.issue_page", evaluation_id=evaluation.id))
    refused = _confirmation_refused()
    if refused:
        flash(refused, "error")
        return back
    try:
        issued = issue_evaluation(db, evaluation, user_id=current_user.id, issuer_name=current_user.display_name,
                                  issued_on=local_today())
    except IncompleteEvaluation as exc:
        flash(f"还不能签发：缺少 {len(exc.gaps)} 项，见下方清单。", "error")
        return back
    except (ReportRefused, EvaluationError) as exc:
        flash(str(exc), "error")
        return back
    flash(f"已签发评价报告（编号 {issued.report_number}），本轮评价已冻结。", "info")
    return redirect(url_for("evaluation.sheet", evaluation_id=evaluation.id, _anchor="reports"))


@bp.route("/reports/<int:report_id>")
def download(report_id: int):
    """An issued report, byte for byte as it was issued (withdrawn and replaced ones too)."""
    db = get_session()
    issued = db.get(IssuedReport, report_id)
    if issued is None or issued.campaign_id is None:
        abort(404)
    campaign_or_404(issued.campaign_id)
    return file_response(issued.content, issued.media_type, download_name(issued),
                         inline=issued.media_type == "application/pdf")


def issued_reports(session, *, campaign_id: int | None = None, evaluation_id: int | None = None) -> list[dict]:
    """Issued reports with their standing (withdrawn, replaced by, replacing) and whether the
    data has moved on since (for the staff pages). A frozen round's data never moves."""
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
        evaluation = session.get(Evaluation, issued.evaluation_id) if issued.evaluation_id else None
        frozen = (evaluation is not None and states.state(evaluation.state).frozen) or issued.document is not None
        if key not in current and not frozen:
            current[key] = fingerprint(report_data(session, session.get(Campaign, issued.campaign_id), evaluation))
        newer = replaced_by(session, issued)
        replaces = session.get(IssuedReport, issued.replaces_id) if issued.replaces_id else None
        result.append({"report": issued, "name": download_name(issued), "frozen": frozen,
                       "moved_on": not frozen and current[key] != issued.data_fingerprint,
                       "replaced_by": newer, "replaces": replaces,
                       "state": states.state(standing(issued, newer))})
    return result
