"""``surveyapp user create`` and ``surveyapp user grant``."""
from __future__ import annotations

import json

import click
from flask.cli import AppGroup
from sqlmodel import select

from ..db import session_scope
from ..models import Circle, User
from .users import AccountError, create_user, grant_circle

user_cli = AppGroup("user", help="Staff accounts.")


@user_cli.command("create")
@click.option("--username", required=True)
@click.option("--role", required=True, type=click.Choice(["admin", "assessor", "officer", "interviewer"]))
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--name", "display_name", default="", help="Name shown on pages and reports.")
@click.option("--circle", "circles", multiple=True, type=int, help="Circle id this user may see (repeatable).")
@click.option("--json", "as_json", is_flag=True)
def create_command(username, role, password, display_name, circles, as_json):
    """Create a staff account."""
    with session_scope() as session:
        try:
            user = create_user(session, username, password, role, display_name)
            for circle_id in circles:
                circle = session.get(Circle, circle_id)
                if circle is None:
                    raise AccountError(f"生活圈 {circle_id} 不存在")
                grant_circle(session, user, circle)
        except AccountError as exc:
            raise click.ClickException(str(exc)) from exc
        if as_json:
            click.echo(json.dumps({"id": user.id, "username": user.username, "role": user.role}))
        else:
            click.echo(f"已创建用户 {user.username} (角色 {user.role}, id {user.id})")


@user_cli.command("grant")
@click.option("--username", required=True)
@click.option("--circle", "circle_id", required=True, type=int)
def grant_command(username, circle_id):
    """Let a staff member see a circle."""
    with session_scope() as session:
        user = session.exec(select(User).where(User.username == username)).first()
        circle = session.get(Circle, circle_id)
        if user is None:
            raise click.ClickException(f"用户 {username} 不存在")
        if circle is None:
            raise click.ClickException(f"生活圈 {circle_id} 不存在")
        grant_circle(session, user, circle)
        click.echo(f"{username} 现在可以查看生活圈 {circle.name}")
