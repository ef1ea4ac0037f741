"""Downloads of a campaign's labelled data and codebook (assessors and admins of the circle).
Every download is audited before the bytes leave."""
from __future__ import annotations

from flask import Blueprint, abort, current_app
from flask_login import current_user

from ..auth.access import campaign_or_404
from ..auth.access_table import ASSESSOR
from ..circles.queries import community_choices
from ..db import get_session
from ..downloads import file_response
from ..questionnaire.registry import questionnaire_by_hash
from ..timezones import local_today
from . import codebook, formats
from .operations import record_export
from .queries import campaign_dataset

bp = Blueprint("exports", __name__, url_prefix="/staff")


def _name(campaign, what: str, suffix: str) -> str:
    return f"问卷调查{campaign.id}-{campaign.questionnaire}-{what}-{local_today().isoformat()}.{suffix}"


@bp.route("/campaigns/<int:campaign_id>/data.<fmt>")
def responses(campaign_id: int, fmt: str):
    """The responses as labelled data. Open text only in an assessor's own export (admins
    manage accounts; they get the coded answers)."""
    campaign = campaign_or_404(campaign_id)
    if fmt not in formats.FORMATS:
        abort(404)
    from fractions import Fraction

    db = get_session()
    questionnaire = questionnaire_by_hash(db, campaign.questionnaire_hash)
    open_text = current_user.role == ASSESSOR
    dataset = campaign_dataset(db, campaign, questionnaire, open_text=open_text,
                               too_fast_fraction=Fraction(str(current_app.config["TOO_FAST_FRACTION"])))
    content = formats.write(dataset, fmt)
    record_export(db, campaign, "responses", fmt, rows=len(dataset.rows), open_text=open_text)
    media_type, suffix, _ = formats.FORMATS[fmt]
    return file_response(content, media_type, _name(campaign, "答卷数据", suffix))


@bp.route("/campaigns/<int:campaign_id>/codebook.<fmt>")
def codebook_file(campaign_id: int, fmt: str):
    campaign = campaign_or_404(campaign_id)
    if fmt not in ("pdf", "xlsx"):
        abort(404)
    db = get_session()
    questionnaire = questionnaire_by_hash(db, campaign.questionnaire_hash)
    communities = community_choices(db, campaign.circle_id)
    if fmt == "pdf":
        content = codebook.codebook_pdf(questionnaire, communities, local_today())
        media_type = "application/pdf"
    else:
        content = codebook.codebook_xlsx(questionnaire, communities)
        media_type = formats.FORMATS["xlsx"][0]
    record_export(db, campaign, "codebook", fmt)
    return file_response(content, media_type, _name(campaign, "编码手册", fmt), inline=fmt == "pdf")


@bp.route("/campaigns/<int:campaign_id>/xlsform.xlsx")
def xlsform(campaign_id: int):
    """The campaign's questionnaire as an XLSForm workbook, for an offline field app."""
    from ..xlsform.export import xlsform_workbook

    campaign = campaign_or_404(campaign_id)
    db = get_session()
    content = xlsform_workbook(questionnaire_by_hash(db, campaign.questionnaire_hash))
    record_export(db, campaign, "xlsform", "xlsx")
    return file_response(content, formats.FORMATS["xlsx"][0], _name(campaign, "XLSForm", "xlsx"))
