"""``surveyapp drafts purge``: delete the half-filled questionnaires nobody came back to."""
from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from ..db import session_scope
from ..models.draft import DRAFT_KEEP_HOURS
from .operations import purge_drafts

drafts_cli = AppGroup("drafts", help="Questionnaires being filled in (kept on the server between steps).")


@drafts_cli.command("purge")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
def purge_command(as_json):
    """Delete drafts nobody touched for a week (DRAFT_KEEP_HOURS); run daily, e.g. from cron."""
    with session_scope() as session:
        removed = purge_drafts(session)
    if as_json:
        click.echo(json.dumps({"purged": removed}))
    else:
        click.echo(f"已删除 {removed} 份超过 {DRAFT_KEEP_HOURS // 24} 天未继续填写的草稿")
