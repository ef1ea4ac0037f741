"""``surveyapp responses ...``: paper import and maintenance."""
from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from ..db import session_scope
from ..models import Campaign
from ..questionnaire.registry import UnknownQuestionnaire, questionnaire_by_hash
from ..circles.queries import community_choices
from .entry_template import entry_template_xlsx
from .importer import ImportFailed, Limits, import_file, summary
from .operations import rebuild_tallies

responses_cli = AppGroup("responses", help="Stored responses: paper import, maintenance.")


def _campaign_and_questionnaire(session, campaign_id: int):
    """The campaign and the exact questionnaire text it was opened with (frozen by hash),
    never the file as it is now: answers are read against what respondents saw."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise click.ClickException(f"问卷调查 {campaign_id} 不存在")
    try:
        questionnaire = questionnaire_by_hash(session, campaign.questionnaire_hash)
    except UnknownQuestionnaire as exc:
        raise click.ClickException(f"找不到问卷调查 {campaign_id} 所用的问卷（{campaign.questionnaire}）") from exc
    return campaign, questionnaire


@responses_cli.command("import")
@click.option("--campaign", "campaign_id", required=True, type=int, help="Campaign id.")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
def import_command(campaign_id, file, as_json):
    """Import paper questionnaires typed into FILE (.csv or .xlsx); all or nothing."""
    with session_scope() as session:
        campaign, questionnaire = _campaign_and_questionnaire(session, campaign_id)
        try:
            result = import_file(session, campaign, questionnaire, file, Limits.from_config(current_app.config))
        except ImportFailed as failed:
            for problem in failed.problems:
                click.echo(str(problem), err=True)
            click.echo(summary(failed.problems), err=True)
            raise click.exceptions.Exit(1) from None
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False))
    else:
        click.echo(f"已导入 {result.imported} 份纸质问卷（问卷调查 {result.campaign}）")
        click.echo(f"其中不完整 {result.incomplete} 份、编号重复 {result.duplicates} 份：已保存，但不计入有效样本")
        click.echo(f"跳过空行 {result.skipped_empty} 行")


@responses_cli.command("template")
@click.option("--campaign", "campaign_id", required=True, type=int, help="Campaign id.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the .xlsx entry template.")
def template_command(campaign_id, out):
    """Write the XLSX entry template of the campaign's questionnaire (what `import` reads)."""
    with session_scope() as session:
        campaign, questionnaire = _campaign_and_questionnaire(session, campaign_id)
        data = entry_template_xlsx(questionnaire, community_choices(session, campaign.circle_id))
    out.write_bytes(data)
    click.echo(f"已写出录入模板 {out}（问卷调查 {campaign_id}，{questionnaire.title}）")


@responses_cli.command("retally")
@click.option("--campaign", "campaign_id", required=True, type=int, help="Campaign id.")
def retally_command(campaign_id):
    """Recount the campaign's answer tallies from its stored responses (repair)."""
    with session_scope() as session:
        campaign, questionnaire = _campaign_and_questionnaire(session, campaign_id)
        counted = rebuild_tallies(session, questionnaire, campaign)
    click.echo(f"已按 {counted} 份已存问卷重新统计问卷调查 {campaign_id} 的答案")
