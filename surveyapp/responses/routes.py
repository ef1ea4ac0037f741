"""Paper questionnaires in the browser: the entry template, the upload with its problem list,
and the confirmation page with the counts before anything is stored.

The same checks as ``surveyapp responses import`` (``importer.check_file``): every problem
with its row, column letter, question and value; a file with any problem stores nothing.
"""
from __future__ import annotations


from flask import Blueprint, current_app, flash, redirect, render_template, session, url_for

from ..auth.access import campaign_or_404
from ..circles.queries import community_choices, get_circle
from ..db import get_session
from ..downloads import file_response
from ..questionnaire.registry import questionnaire_by_hash
from ..web.request import accepts_upload
from . import uploads
from .entry_template import entry_template_xlsx
from .forms import PaperConfirmForm, PaperUploadForm
from .importer import ImportFailed, Limits, import_file, preview_file, read_sheet, summary

bp = Blueprint("paper", __name__, url_prefix="/staff/campaigns/<int:campaign_id>/paper")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _page(campaign, form, **context):
    db = get_session()
    questionnaire = questionnaire_by_hash(db, campaign.questionnaire_hash)
    limits = Limits.from_config(current_app.config)
    return render_template("responses/paper.html", campaign=campaign, circle=get_circle(db, campaign.circle_id),
                           questionnaire=questionnaire, form=form, limits=limits, **context)


@bp.route("/template.xlsx")
def template(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    db = get_session()
    questionnaire = questionnaire_by_hash(db, campaign.questionnaire_hash)
    circle = get_circle(db, campaign.circle_id)
    data = entry_template_xlsx(questionnaire, community_choices(db, campaign.circle_id),
                               title=f"{circle.name} · {questionnaire.title}")
    return file_response(data, XLSX, f"纸质问卷录入模板-调查{campaign.id}.xlsx")


@bp.route("", methods=["GET", "POST"])
@accepts_upload
def upload(campaign_id: int):
    """Upload a typed file: its problems, or the counts and a button to store it."""
    campaign = campaign_or_404(campaign_id)
    form = PaperUploadForm()
    if not form.validate_on_submit():
        return _page(campaign, form), 422 if form.errors else 200
    db = get_session()
    storage = form.file.data
    name = (storage.filename or "上传的文件").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    pending = uploads.keep(current_app.instance_path, session, campaign.id, name, storage)
    questionnaire = questionnaire_by_hash(db, campaign.questionnaire_hash)
    limits = Limits.from_config(current_app.config)
    try:
        sheet = read_sheet(pending.path, limits, file_name=name)
        counts = preview_file(db, campaign, questionnaire, sheet, limits, file_name=name)
        uploads.keep_cells(pending, sheet)  # the confirmation stores these without reading the file again
    except ImportFailed as failed:
        uploads.discard(current_app.instance_path, session, pending.token)
        problems = failed.problems
        return _page(campaign, form, problems=problems, problem_summary=summary(problems), file_name=name), 422
    confirm = PaperConfirmForm(upload=pending.token)
    return _page(campaign, form, counts=counts, file_name=name, confirm_form=confirm)


@bp.route("/confirm", methods=["POST"])
def confirm(campaign_id: int):
    """Store the checked upload, all or nothing (its cells, read when it was uploaded, are
    checked again as they are stored)."""
    campaign = campaign_or_404(campaign_id)
    form = PaperConfirmForm()
    instance = current_app.instance_path
    pending = uploads.find(instance, session, campaign.id, form.upload.data) if form.validate_on_submit() else None
    if pending is None:
        flash("找不到待确认的上传（可能已经导入或已过期），请重新上传文件。", "error")
        return redirect(url_for("paper.upload", campaign_id=campaign.id))
    db = get_session()
    questionnaire = questionnaire_by_hash(db, campaign.questionnaire_hash)
    try:
        result = import_file(db, campaign, questionnaire, uploads.kept_cells(pending),
                             Limits.from_config(current_app.config), file_name=pending.name)
    except ImportFailed as failed:
        db.rollback()
        uploads.discard(instance, session, pending.token)
        problems = failed.problems
        return _page(campaign, PaperUploadForm(), problems=problems, problem_summary=summary(problems),
                     file_name=pending.name), 422
    uploads.discard(instance, session, pending.token)
    text = f"已导入 {result.imported} 份纸质问卷（{pending.name}）"
    if result.incomplete or result.duplicates:
        text += f"；其中不完整 {result.incomplete} 份、编号重复 {result.duplicates} 份，已保存但不计入有效样本"
    flash(text + "。", "info")
    return redirect(url_for("results.dashboard", campaign_id=campaign.id))
