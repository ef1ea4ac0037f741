"""``surveyapp export ...``: labelled data, codebook and XLSForm from the command line (the
same bytes as the browser's downloads; data exports audited the same way)."""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from ..circles.queries import community_choices
from ..db import session_scope
from ..models import Campaign
from ..questionnaire.registry import questionnaire_by_hash
from ..timezones import local_today
from . import codebook, formats
from .operations import record_export
from .queries import campaign_dataset

export_cli = AppGroup("export", help="Labelled response data, codebooks and XLSForm workbooks.")


def _campaign(session, campaign_id: int):
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise click.ClickException(f"问卷调查 {campaign_id} 不存在")
    return campaign, questionnaire_by_hash(session, campaign.questionnaire_hash)


@export_cli.command("data")
@click.option("--campaign", "campaign_id", required=True, type=int, help="Campaign id.")
@click.option("--format", "fmt", required=True, type=click.Choice(sorted(formats.FORMATS)), help="File format.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="File to write.")
@click.option("--open-text", is_flag=True, help="Include open-text answers (assessors only; marked as such).")
def data_command(campaign_id, fmt, out, open_text):
    """Write a campaign's responses with codes, labels, quality flags and weights."""
    with session_scope() as session:
        campaign, questionnaire = _campaign(session, campaign_id)
        dataset = campaign_dataset(session, campaign, questionnaire, open_text=open_text,
                                   too_fast_fraction=Fraction(str(current_app.config["TOO_FAST_FRACTION"])))
        out.write_bytes(formats.write(dataset, fmt))
        record_export(session, campaign, "responses", fmt, rows=len(dataset.rows), open_text=open_text)
    click.echo(f"已写出 {len(dataset.rows)} 份问卷、{len(dataset.variables)} 个变量：{out}")


@export_cli.command("codebook")
@click.option("--campaign", "campaign_id", required=True, type=int, help="Campaign id.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="FILE.pdf or FILE.xlsx.")
def codebook_command(campaign_id, out):
    """Write the codebook of a campaign's questionnaire (PDF or XLSX, from the suffix)."""
    suffix = out.suffix.lower()
    if suffix not in (".pdf", ".xlsx"):
        raise click.ClickException("编码手册只能写成 .pdf 或 .xlsx")
    with session_scope() as session:
        campaign, questionnaire = _campaign(session, campaign_id)
        communities = community_choices(session, campaign.circle_id)
        content = (codebook.codebook_pdf(questionnaire, communities, local_today()) if suffix == ".pdf"
                   else codebook.codebook_xlsx(questionnaire, communities))
        out.write_bytes(content)
        record_export(session, campaign, "codebook", suffix[1:])
    click.echo(f"已写出编码手册：{out}")
