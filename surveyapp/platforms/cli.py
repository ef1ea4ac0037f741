"""``surveyapp responses import-platform``: a 问卷星 / 腾讯问卷 export from the command line.
Without ``--mapping`` the proposed mapping is printed (JSON) to check and edit; with it, or with
``--saved`` (the mapping confirmed in the browser), the file is imported all or nothing."""
from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app

from ..circles.queries import community_choices
from ..db import session_scope
from ..responses.importer import ImportFailed, Limits, read_sheet, summary
from .layout import PLATFORMS, Mapping, propose
from .operations import import_platform_file, save_mapping, saved_mapping


@click.command("import-platform")
@click.option("--campaign", "campaign_id", required=True, type=int, help="Campaign id.")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--platform", type=click.Choice(sorted(PLATFORMS)), help="wjx (问卷星) or tencent (腾讯问卷); guessed.")
@click.option("--mapping", "mapping_file", type=click.Path(dir_okay=False, path_type=Path),
              help="The confirmed mapping (JSON, as printed without this option).")
@click.option("--saved", is_flag=True, help="Use the mapping saved for this campaign.")
@click.option("--save", is_flag=True, help="Save the mapping used for the campaign's next file.")
def import_platform_command(campaign_id, file, platform, mapping_file, saved, save):
    """Import answers downloaded from 问卷星 or 腾讯问卷 (.xlsx or .csv)."""
    from ..responses.cli import _campaign_and_questionnaire

    limits = Limits.from_config(current_app.config)
    with session_scope() as session:
        campaign, questionnaire = _campaign_and_questionnaire(session, campaign_id)
        if mapping_file is not None:
            mapping = Mapping.from_json(json.loads(mapping_file.read_text(encoding="utf-8")))
        elif saved:
            mapping = saved_mapping(session, campaign.id)
            if mapping is None:
                raise click.ClickException(f"问卷调查 {campaign_id} 还没有保存过对应关系")
        try:
            sheet = read_sheet(file, limits)  # once, for the proposal or the import
        except ImportFailed as failed:
            for problem in failed.problems:
                click.echo(str(problem), err=True)
            click.echo(summary(failed.problems), err=True)
            raise click.exceptions.Exit(1) from None
        if mapping_file is None and not saved:
            proposal = propose(questionnaire, sheet.header, [cells for _, cells in sheet.rows],
                               community_choices(session, campaign.circle_id), platform)
            click.echo(json.dumps(proposal.as_json(), ensure_ascii=False, indent=1))
            click.echo("以上是建议的对应关系：检查、修改（未对应的答案填选项代码或 \"-\" 留空）后存为 JSON，"
                       "再用 --mapping 导入。", err=True)
            return
        if platform:
            mapping.platform = platform
        if save:
            save_mapping(session, campaign, mapping, None)  # kept even if rows are refused
        try:
            result = import_platform_file(session, campaign, questionnaire, sheet, mapping, limits, file.name)
        except ImportFailed as failed:
            for problem in failed.problems:
                click.echo(str(problem), err=True)
            click.echo(summary(failed.problems), err=True)
            raise click.exceptions.Exit(1) from None
    click.echo(f"已从{PLATFORMS[mapping.platform]}导入 {result.imported} 份答卷（问卷调查 {result.campaign}），"
               f"其中不完整 {result.incomplete} 份、编号重复 {result.duplicates} 份")
