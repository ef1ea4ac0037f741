"""``surveyapp summary --campaign ID [--json]``."""
from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from ..db import session_scope
from ..models import Campaign
from .service import summary_for


def _percent(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


@click.command("summary")
@click.option("--campaign", "campaign_id", required=True, type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the summary document (DESIGN.md contract).")
@with_appcontext
def summary_command(campaign_id, as_json):
    """The statistical summary of a campaign."""
    with session_scope() as session:
        campaign = session.get(Campaign, campaign_id)
        if campaign is None:
            raise click.ClickException(f"问卷调查 {campaign_id} 不存在")
        document = summary_for(session, campaign)
    if as_json:
        click.echo(json.dumps(document, ensure_ascii=False, allow_nan=False))
        return
    sample = document["sample"]
    click.echo(f"生活圈 {document['campaign'].get('circle_name', document['campaign']['circle'])}，"
               f"问卷 {document['campaign']['questionnaire']} v{document['campaign']['version']}")
    state = "达到" if sample["met"] else f"未达到（还差 {sample['shortfall']} 份）"
    click.echo(f"有效样本 {sample['valid']} / 要求 {sample['required']}（服务人口 {sample['population']:,} × "
               f"{sample['rate'] * 100:g}%）：{state}")
    for reason, n in sample["excluded"].items():
        click.echo(f"  剔除 {document['quality']['exclusion_labels'].get(reason, reason)}: {n}")
    for indicator in document["indicators"].values():
        flag = "（临界）" if indicator["borderline"] else ""
        click.echo(f"{indicator['label']}: {_percent(indicator['rate'])}，误差范围 {_percent(indicator['ci_low'])}–"
                   f"{_percent(indicator['ci_high'])}，得分 {indicator['points']} / {indicator['max_points']}{flag}")
