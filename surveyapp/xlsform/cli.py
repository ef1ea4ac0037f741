"""``surveyapp xlsform export|import``: questionnaires to and from XLSForm workbooks."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from ..db import session_scope
from ..questionnaire.registry import current_questionnaire
from .export import xlsform_workbook
from .importer import XLSFormRefused, convert_xlsform

xlsform_cli = AppGroup("xlsform", help="Questionnaires as XLSForm workbooks (ODK, KoboToolbox), both ways.")


@xlsform_cli.command("export")
@click.option("--questionnaire", "name", help="A questionnaire file's name (questionnaires/NAME.yaml).")
@click.option("--campaign", "campaign_id", type=int, help="Or: the questionnaire a campaign was opened with.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="FILE.xlsx to write.")
def export_command(name, campaign_id, out):
    """Write a questionnaire as an XLSForm workbook (survey, choices, settings)."""
    if bool(name) == bool(campaign_id):
        raise click.UsageError("请给出 --questionnaire 或 --campaign 之一")
    if name:
        questionnaire = current_questionnaire(name)
    else:
        from ..exports.cli import _campaign
        from ..exports.operations import record_export

        with session_scope() as session:
            campaign, questionnaire = _campaign(session, campaign_id)
            record_export(session, campaign, "xlsform", "xlsx")
    out.write_bytes(xlsform_workbook(questionnaire))
    click.echo(f"已写出 XLSForm：{out}（{len(questionnaire.questions)} 题）")


@xlsform_cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="FILE.yaml to write.")
@click.option("--notice", help="The text shown before the questions (who asks, anonymity, how long answers are kept), "
                               "when the settings sheet has no notice column (KoboToolbox and ODK forms have none).")
def import_command(file, out, notice):
    """Turn an XLSForm workbook into a questionnaire file; refused with sheet, row and column."""
    try:
        converted = convert_xlsform(file, notice)
    except XLSFormRefused as refused:
        for problem in refused.problems:
            click.echo(str(problem), err=True)
        click.echo(str(refused), err=True)
        raise click.exceptions.Exit(1) from None
    out.write_text(converted.text, encoding="utf-8")
    for note in converted.notes:
        click.echo(f"说明：{note}")
    click.echo(f"已写出问卷文件：{out}")
