"""``surveyapp settings show|set``: the same settings as the 机构设置 page, audited (the actor
is the operating-system user) and committed with the audit entry."""
from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from ..db import session_scope
from . import operations

settings_cli = AppGroup("settings", help="Settings kept in the database (the assessment firm's name).")


@settings_cli.command("show")
@click.option("--json", "as_json", is_flag=True)
def show_command(as_json):
    """Every setting and its value."""
    with session_scope() as session:
        values = {s.cli_name: operations.get_setting(session, s.key) for s in operations.SETTINGS.values()}
    if as_json:
        click.echo(json.dumps(values, ensure_ascii=False))
        return
    for setting in operations.SETTINGS.values():
        click.echo(f"{setting.cli_name}（{setting.label}）: {values[setting.cli_name] or '（未设置）'}")


@settings_cli.command("set")
@click.argument("name", type=click.Choice(sorted(operations.BY_CLI_NAME)))
@click.argument("value")
def set_command(name, value):
    """Set NAME to VALUE ('' clears it). Reports issued before keep the value they printed."""
    setting = operations.BY_CLI_NAME[name]
    with session_scope() as session:
        try:
            changed = operations.set_setting(session, setting.key, value)
        except operations.SettingError as exc:
            session.rollback()
            raise click.ClickException(str(exc)) from exc
        session.commit()
        stored = operations.get_setting(session, setting.key)
    click.echo(f"{setting.label}：{stored or '（未设置）'}" + ("" if changed else "（没有改动）"))
