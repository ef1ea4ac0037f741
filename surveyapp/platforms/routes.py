"""The platform import in the browser: upload the export, see and confirm (or correct) the
proposed mapping, import all or nothing. Assessors and admins of the campaign's circle."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth.access import campaign_or_404
from ..circles.queries import community_choices
from ..db import get_session
from ..questionnaire.registry import questionnaire_by_hash
from ..responses.importer import ImportFailed, Limits, Sheet
from ..web.request import accepts_upload
from . import uploads
from .forms import ConfirmForm, UploadForm
from .importer import LEAVE_BLANK
from .layout import PLATFORMS, Mapping, classify, propose
from .operations import import_platform_file, save_mapping, saved_mapping

bp = Blueprint("platforms", __name__, url_prefix="/staff")
MSG_SUFFIX = "请上传 .xlsx 或 .csv 文件（在问卷星或腾讯问卷的“下载答卷数据”中选择 Excel 或 CSV）"


@bp.route("/campaigns/<int:campaign_id>/platform-import", methods=["GET", "POST"])
@accepts_upload
def upload(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    form = UploadForm()
    if form.validate_on_submit():
        file = form.file.data
        suffix = Path(getattr(file, "filename", "") or "").suffix.lower()
        if not file or suffix not in uploads.SUFFIXES:
            form.file.errors.append(MSG_SUFFIX)
        else:
            try:
                token = uploads.store(current_app.instance_path, campaign.id, Path(file.filename).name[:200], suffix,
                                      file.read(), Limits.from_config(current_app.config))
            except ImportFailed as failed:
                return render_template("platforms/upload.html", campaign=campaign, form=form, platforms=PLATFORMS,
                                       saved=saved_mapping(get_session(), campaign.id), problems=failed.problems)
            return redirect(url_for("platforms.mapping", campaign_id=campaign.id, upload=token,
                                    platform=form.platform.data or None))
    return render_template("platforms/upload.html", campaign=campaign, form=form, platforms=PLATFORMS,
                           saved=saved_mapping(get_session(), campaign.id))


def _proposal(db, campaign, questionnaire, sheet: Sheet, platform: str | None):
    """The mapping to show: the saved one where it knows a column, the proposal for
    everything else."""
    communities = community_choices(db, campaign.circle_id)
    cells = [row for _, row in sheet.rows]
    proposal = propose(questionnaire, sheet.header, cells, communities, platform or None)
    saved = saved_mapping(db, campaign.id)
    if saved is not None:
        proposal.columns.update({h: q for h, q in saved.columns.items() if h in proposal.columns})
        proposal.options.update({h: o for h, o in saved.options.items() if h in proposal.options})
        for question, values in saved.values.items():
            proposal.values.setdefault(question, {}).update(
                {k: v for k, v in values.items() if k in proposal.values.get(question, {})})
        proposal.platform = platform or saved.platform
    return proposal, communities


def _submitted(proposal: Mapping, questionnaire, columns, communities) -> Mapping:
    """The mapping as the assessor confirmed it: every posted choice checked against the
    questionnaire (an unknown name reads as "not imported")."""
    form = request.form
    names = {q.name for q in questionnaire.answerable_questions()}
    mapping = Mapping(proposal.platform if form.get("platform") not in PLATFORMS else form["platform"],
                      dict(proposal.columns), dict(proposal.options),
                      {q: dict(v) for q, v in proposal.values.items()})
    for column in columns:
        if column.header in mapping.columns and f"col-{column.index}" in form:
            value = form[f"col-{column.index}"]
            mapping.columns[column.header] = value if value in names else ""
        if column.header in mapping.options and f"opt-{column.index}" in form:
            question, _, code = form[f"opt-{column.index}"].partition("|")
            mapping.options[column.header] = [question, code] if question in names else ["", ""]
    for question, values in mapping.values.items():
        for number, key in enumerate(sorted(values)):
            field = f"val-{question}-{number}"
            if field in form and question in questionnaire:
                value = form[field]
                codes = {c.name for c in questionnaire.question(question).choices_for(communities)} | {LEAVE_BLANK}
                values[key] = value if value in codes else ""
    return mapping


@bp.route("/campaigns/<int:campaign_id>/platform-import/mapping", methods=["GET", "POST"])
def mapping(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    db = get_session()
    form = ConfirmForm()
    token = request.values.get("upload")
    upload = uploads.find(current_app.instance_path, campaign.id, token)
    if upload is None:
        flash("请先上传问卷星或腾讯问卷的导出文件。", "info")
        return redirect(url_for("platforms.upload", campaign_id=campaign.id))
    questionnaire = questionnaire_by_hash(db, campaign.questionnaire_hash)
    sheet, file_name = upload.sheet, upload.name
    proposal, communities = _proposal(db, campaign, questionnaire, sheet, request.args.get("platform"))
    columns = classify(sheet.header)
    problems = []
    if request.method == "POST" and form.validate_on_submit():
        confirmed = _submitted(proposal, questionnaire, columns, communities)
        if form.save.data:
            save_mapping(db, campaign, confirmed, current_user.id)  # kept even if rows are refused
        try:
            result = import_platform_file(db, campaign, questionnaire, sheet, confirmed,
                                          Limits.from_config(current_app.config), file_name)
        except ImportFailed as failed:
            problems = failed.problems
            proposal = confirmed
        else:
            uploads.discard(current_app.instance_path, campaign.id, upload.token)
            flash(f"已从{PLATFORMS[confirmed.platform]}导入 {result.imported} 份答卷（其中不完整 {result.incomplete} 份、"
                  f"编号重复 {result.duplicates} 份，已保存但不计入有效样本）。", "info")
            return redirect(url_for("results.dashboard", campaign_id=campaign.id))
    form.upload.data = token
    by_name = {q.name: q for q in questionnaire.answerable_questions()}
    return render_template(
        "platforms/mapping.html", campaign=campaign, form=form, mapping=proposal, columns=columns,
        questions=list(by_name.values()), by_name=by_name, communities=communities, problems=problems,
        file_name=file_name, rows=len(sheet.rows), platforms=PLATFORMS, leave_blank=LEAVE_BLANK,
        value_rows=[(q, sorted(values)) for q, values in proposal.values.items() if q in by_name],
    )
