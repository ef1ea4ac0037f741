"""``surveyapp campaign create``."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import AppGroup

from ..db import session_scope
from ..models import Campaign, Circle
from ..models.campaign import MAX_ANSWERS_PER_DEVICE
from ..questionnaire import QuestionnaireError
from ..questionnaire.registry import UnknownQuestionnaire, current_questionnaire
from .operations import CampaignError, open_campaign, set_answers_per_device
from .qr import public_url, write_qr_files

campaign_cli = AppGroup("campaign", help="Survey campaigns.")


def _date(value: str | None) -> datetime | None:
    """A date or date-time as typed by an operator, in local time (SURVEYAPP_TIMEZONE)."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r}: 请用 YYYY-MM-DD 或 YYYY-MM-DDTHH:MM 格式") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(current_app.config["TIMEZONE"]))
    return parsed.astimezone(timezone.utc)


@campaign_cli.command("create")
@click.option("--circle", "circle_id", required=True, type=int, help="Circle id.")
@click.option("--questionnaire", "questionnaire_name", default="resident", show_default=True)
@click.option("--opens", help="Opening date or date-time in local time, default now.")
@click.option("--closes", help="Closing date or date-time in local time, default opening + --days.")
@click.option("--days", type=click.IntRange(1, 366), default=30, show_default=True)
@click.option("--answers-per-device", type=click.IntRange(1, MAX_ANSWERS_PER_DEVICE), default=None,
              help="Answers one phone may give (family members on a shared phone, an owner's second shop); "
                   "1: one per phone. Default: the survey kind's (residents 3, merchants 5).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
def create_command(circle_id, questionnaire_name, opens, closes, days, answers_per_device, as_json):
    """Open a survey; prints its id, public link and QR files."""
    opens_at, closes_at = _date(opens), _date(closes)
    with session_scope() as session:
        circle = session.get(Circle, circle_id)
        if circle is None:
            raise click.ClickException(f"生活圈 {circle_id} 不存在")
        try:
            questionnaire = current_questionnaire(questionnaire_name)
            campaign = open_campaign(session, circle, questionnaire, opens_at, closes_at, days,
                                     answers_per_device=answers_per_device)
        except UnknownQuestionnaire as exc:
            raise click.ClickException(f"找不到问卷 {questionnaire_name}") from exc
        except QuestionnaireError as exc:
            raise click.ClickException(f"问卷文件有误: {exc}") from exc
        except CampaignError as exc:
            raise click.ClickException(str(exc)) from exc
        url = public_url(current_app.config["BASE_URL"], campaign.token)
        svg, png = write_qr_files(url, current_app.config["QR_DIR"], f"campaign-{campaign.id}")
        document = {
            "id": campaign.id,
            "circle": circle.id,
            "questionnaire": campaign.questionnaire,
            "version": campaign.questionnaire_version,
            "hash": campaign.questionnaire_hash,
            "opens_at": campaign.opens_at.isoformat(),
            "closes_at": campaign.closes_at.isoformat() if campaign.closes_at else None,
            "answers_per_device": campaign.answers_per_device,
            "url": url,
            "qr_svg": str(svg),
            "qr_png": str(png),
        }
    if as_json:
        click.echo(json.dumps(document, ensure_ascii=False))
    else:
        click.echo(f"已开启问卷调查 (id {document['id']}): {questionnaire_name} v{document['version']}")
        click.echo(f"公开链接: {url}")
        click.echo(f"二维码: {svg}  {png}")


@campaign_cli.command("device-rule")
@click.option("--campaign", "campaign_id", required=True, type=int, help="Campaign id.")
@click.option("--answers-per-device", required=True, type=click.IntRange(1, MAX_ANSWERS_PER_DEVICE))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
def device_rule_command(campaign_id, answers_per_device, as_json):
    """Set how many answers one phone may give in a campaign (audited)."""
    with session_scope() as session:
        campaign = session.get(Campaign, campaign_id)
        if campaign is None:
            raise click.ClickException(f"问卷调查 {campaign_id} 不存在")
        set_answers_per_device(session, campaign, answers_per_device)
        document = {"id": campaign.id, "answers_per_device": campaign.answers_per_device}
    if as_json:
        click.echo(json.dumps(document, ensure_ascii=False))
    else:
        click.echo(f"问卷调查 {campaign_id}: 每部手机最多填写 {answers_per_device} 份")
