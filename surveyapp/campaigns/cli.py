"""``surveyapp campaign create | batch | dates | close | reopen | posters | qr-zip | device-rule``."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import AppGroup

from ..db import session_scope
from ..models import Campaign, Circle
from ..models.campaign import MAX_ANSWERS_PER_DEVICE
from ..questionnaire import QuestionnaireError
from ..questionnaire.registry import UnknownQuestionnaire, current_questionnaire
from .operations import (CampaignError, close_campaign, open_campaign, open_campaigns, reopen_campaign,
                         set_answers_per_device, set_dates)
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


def _campaigns(session, ids) -> list[Campaign]:
    campaigns = []
    for campaign_id in ids:
        campaign = session.get(Campaign, campaign_id)
        if campaign is None:
            raise click.ClickException(f"问卷调查 {campaign_id} 不存在")
        campaigns.append(campaign)
    return campaigns


def _schedule_document(campaign: Campaign) -> dict:
    return {"id": campaign.id, "status": campaign.status,
            "opens_at": campaign.opens_at.isoformat(),
            "closes_at": campaign.closes_at.isoformat() if campaign.closes_at else None}


@campaign_cli.command("batch")
@click.option("--circle", "circle_ids", required=True, type=int, multiple=True, help="Circle id (repeatable).")
@click.option("--questionnaire", "questionnaire_name", default="resident", show_default=True)
@click.option("--opens", help="Opening date or date-time in local time, default now.")
@click.option("--closes", help="Closing date or date-time in local time, default opening + --days.")
@click.option("--days", type=click.IntRange(1, 366), default=30, show_default=True)
@click.option("--posters", "posters_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write every poster into this PDF (one A4 page per circle).")
@click.option("--qr-zip", "zip_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write every QR code into this ZIP.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
def batch_command(circle_ids, questionnaire_name, opens, closes, days, posters_out, zip_out, as_json):
    """Open the same survey for many circles at once (all or none)."""
    from .batch import posters_pdf, qr_zip

    opens_at, closes_at = _date(opens), _date(closes)
    base = current_app.config["BASE_URL"]
    with session_scope() as session:
        circles = []
        for circle_id in dict.fromkeys(circle_ids):
            circle = session.get(Circle, circle_id)
            if circle is None:
                raise click.ClickException(f"生活圈 {circle_id} 不存在")
            circles.append(circle)
        try:
            questionnaire = current_questionnaire(questionnaire_name)
            campaigns = open_campaigns(session, circles, questionnaire, opens_at, closes_at, days)
        except UnknownQuestionnaire as exc:
            raise click.ClickException(f"找不到问卷 {questionnaire_name}") from exc
        except QuestionnaireError as exc:
            raise click.ClickException(f"问卷文件有误: {exc}") from exc
        except CampaignError as exc:
            raise click.ClickException(str(exc)) from exc
        if posters_out:
            posters_out.write_bytes(posters_pdf(session, campaigns, base))
        if zip_out:
            zip_out.write_bytes(qr_zip(session, campaigns, base))
        document = {"campaigns": [{"id": c.id, "circle": c.circle_id, "url": public_url(base, c.token)}
                                  for c in campaigns],
                    "posters": str(posters_out) if posters_out else None, "qr_zip": str(zip_out) if zip_out else None}
    if as_json:
        click.echo(json.dumps(document, ensure_ascii=False))
    else:
        for item in document["campaigns"]:
            click.echo(f"已开启问卷调查 {item['id']} (生活圈 {item['circle']}): {item['url']}")
        for label, path in (("海报", posters_out), ("二维码", zip_out)):
            if path:
                click.echo(f"{label}: {path}")


@campaign_cli.command("dates")
@click.option("--campaign", "campaign_id", required=True, type=int)
@click.option("--opens", help="New opening date or date-time (local time).")
@click.option("--closes", help="New closing date or date-time (local time); in the past: ends the survey.")
@click.option("--json", "as_json", is_flag=True)
def dates_command(campaign_id, opens, closes, as_json):
    """Set, extend or shorten a survey's dates (audited)."""
    with session_scope() as session:
        campaign, = _campaigns(session, [campaign_id])
        try:
            set_dates(session, campaign, _date(opens) or campaign.opens_at, _date(closes) or campaign.closes_at)
        except CampaignError as exc:
            raise click.ClickException(str(exc)) from exc
        document = _schedule_document(campaign)
    click.echo(json.dumps(document, ensure_ascii=False) if as_json else
               f"问卷调查 {campaign_id}: {document['opens_at']} 至 {document['closes_at']}")


@campaign_cli.command("close")
@click.option("--campaign", "campaign_id", required=True, type=int)
@click.option("--json", "as_json", is_flag=True)
def close_command(campaign_id, as_json):
    """End a survey early (audited); answers already given stay."""
    with session_scope() as session:
        campaign, = _campaigns(session, [campaign_id])
        try:
            close_campaign(session, campaign)
        except CampaignError as exc:
            raise click.ClickException(str(exc)) from exc
        document = _schedule_document(campaign)
    click.echo(json.dumps(document, ensure_ascii=False) if as_json else f"问卷调查 {campaign_id} 已结束")


@campaign_cli.command("reopen")
@click.option("--campaign", "campaign_id", required=True, type=int)
@click.option("--closes", help="New closing date (needed when the old one has passed).")
@click.option("--json", "as_json", is_flag=True)
def reopen_command(campaign_id, closes, as_json):
    """Open an ended survey again (audited)."""
    with session_scope() as session:
        campaign, = _campaigns(session, [campaign_id])
        try:
            reopen_campaign(session, campaign, _date(closes))
        except CampaignError as exc:
            raise click.ClickException(str(exc)) from exc
        document = _schedule_document(campaign)
    click.echo(json.dumps(document, ensure_ascii=False) if as_json else
               f"问卷调查 {campaign_id} 已重新开启，至 {document['closes_at']}")


@campaign_cli.command("posters")
@click.option("--campaign", "campaign_ids", required=True, type=int, multiple=True, help="Campaign id (repeatable).")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def posters_command(campaign_ids, out):
    """Every poster of the campaigns in one PDF, one A4 page each."""
    from .batch import posters_pdf

    with session_scope() as session:
        out.write_bytes(posters_pdf(session, _campaigns(session, campaign_ids), current_app.config["BASE_URL"]))
    click.echo(f"已写入 {len(campaign_ids)} 页海报: {out}")


@campaign_cli.command("qr-zip")
@click.option("--campaign", "campaign_ids", required=True, type=int, multiple=True, help="Campaign id (repeatable).")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def qr_zip_command(campaign_ids, out):
    """Every QR code of the campaigns (PNG and SVG) in one ZIP."""
    from .batch import qr_zip

    with session_scope() as session:
        out.write_bytes(qr_zip(session, _campaigns(session, campaign_ids), current_app.config["BASE_URL"]))
    click.echo(f"已写入 {len(campaign_ids)} 个二维码: {out}")
