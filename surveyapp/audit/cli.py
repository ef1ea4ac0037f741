"""``surveyapp audit ...``: the audit log at a shell (read and export only, like the pages)."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from ..db import session_scope
from ..timezones import local
from .export import audit_csv, audit_xlsx
from .queries import (TIME_FORMAT, Filters, action_label, circle_names, entries_for_export, entries_page,
                      target_label)

audit_cli = AppGroup("audit", help="The audit log of staff writes (read only).")


def _filters(actor, action, circle, since, until) -> Filters:
    return Filters(actor=actor or "", action=action or "", circle_id=circle,
                   date_from=since, date_to=until)


def _filter_options(command):
    for option in reversed([
        click.option("--actor", help="Part of the actor's name."),
        click.option("--action", help="Action code, e.g. auth.login."),
        click.option("--circle", type=int, help="Circle id."),
        click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="From this local date."),
        click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Up to this local date."),
    ]):
        command = option(command)
    return command


def _day(value) -> date | None:
    return None if value is None else value.date()


@audit_cli.command("list")
@_filter_options
@click.option("--limit", type=int, default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
def list_command(actor, action, circle, since, until, limit, as_json):
    """The newest entries matching the filters."""
    filters = _filters(actor, action, circle, _day(since), _day(until))
    with session_scope() as session:
        entries, total = entries_page(session, filters, current_app.config["TIMEZONE"], 1, limit)
        rows = [{"id": e.id, "at": e.at.isoformat(), "actor": e.actor, "role": e.role, "action": e.action,
                 "target_type": e.target_type, "target_id": e.target_id, "circle_id": e.circle_id,
                 "summary": e.summary, "before": e.before, "after": e.after} for e in entries]
        lines = [f"{local(e.at, TIME_FORMAT)}  {e.actor or '—'}  {action_label(e.action)}  "
                 f"{target_label(e)}  {e.summary}" for e in entries]
    if as_json:
        click.echo(json.dumps({"total": total, "entries": rows}, ensure_ascii=False))
    else:
        for line in lines:
            click.echo(line)
        click.echo(f"共 {total} 条，显示最新的 {len(lines)} 条")


@audit_cli.command("export")
@_filter_options
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help=".xlsx or .csv")
def export_command(actor, action, circle, since, until, out):
    """Write the matching entries to an XLSX or CSV file (cells neutralised)."""
    if out.suffix.lower() not in (".xlsx", ".csv"):
        raise click.ClickException("文件名应以 .xlsx 或 .csv 结尾")
    filters = _filters(actor, action, circle, _day(since), _day(until))
    with session_scope() as session:
        entries = entries_for_export(session, filters, current_app.config["TIMEZONE"])
        when = lambda entry: local(entry.at, TIME_FORMAT)  # noqa: E731
        names = circle_names(session, entries)
        data = audit_xlsx(entries, when, names) if out.suffix.lower() == ".xlsx" else audit_csv(entries, when, names)
    out.write_bytes(data)
    click.echo(f"已导出 {len(entries)} 条操作记录到 {out}")
