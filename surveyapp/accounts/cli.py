"""``surveyapp user create|grant|revoke|set-role|disable|enable|set-password``: the same
operations as the account pages, each audited (the actor is the operating-system user) and
committed with its audit entry."""
from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from ..auth.users import AccountError, ROLE_CHOICES, user_by_name
from ..db import session_scope
from . import operations

user_cli = AppGroup("user", help="Staff accounts.")


def _user(session, username: str):
    user = user_by_name(session, username)
    if user is None:
        raise click.ClickException(f"用户 {username} 不存在")
    return user


def _run(change):
    """Run ``change(session)`` and commit, turning a refusal into the operator's message."""
    with session_scope() as session:
        try:
            result = change(session)
        except AccountError as exc:
            session.rollback()
            raise click.ClickException(str(exc)) from exc
        session.commit()
        return result


def _echo(as_json: bool, document: dict, text: str) -> None:
    click.echo(json.dumps(document, ensure_ascii=False) if as_json else text)


@user_cli.command("create")
@click.option("--username", required=True)
@click.option("--role", required=True, type=click.Choice(ROLE_CHOICES))
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--name", "display_name", default="", help="Name shown on pages and reports.")
@click.option("--circle", "circles", multiple=True, type=int, help="Circle id this user may see (repeatable).")
@click.option("--one-time", is_flag=True, help="The password must be changed at first sign-in.")
@click.option("--json", "as_json", is_flag=True)
def create_command(username, role, password, display_name, circles, one_time, as_json):
    """Create a staff account."""
    user = _run(lambda s: operations.create_account(s, username, role, password, display_name=display_name,
                                                    circle_ids=circles, one_time=one_time))
    _echo(as_json, {"id": user.id, "username": user.username, "role": user.role},
          f"已创建用户 {user.username} (角色 {user.role}, id {user.id})")


def _circle_command(name: str, change, help_text: str, done: str):
    @user_cli.command(name, help=help_text)
    @click.option("--username", required=True)
    @click.option("--circle", "circle_id", required=True, type=int)
    @click.option("--json", "as_json", is_flag=True)
    def command(username, circle_id, as_json):
        def apply(session):
            user = _user(session, username)
            change(session, user, circle_id)
            return operations.circle_ids_of(session, user)

        circles = _run(apply)
        _echo(as_json, {"username": username, "circles": circles}, f"{username} {done} {circle_id}")

    return command


grant_command = _circle_command("grant", operations.grant, "Let a staff member see a circle.", "现在可以查看生活圈")
revoke_command = _circle_command("revoke", operations.revoke, "Stop a staff member seeing a circle.",
                                 "不再能查看生活圈")


@user_cli.command("set-role")
@click.option("--username", required=True)
@click.option("--role", required=True, type=click.Choice(ROLE_CHOICES))
@click.option("--json", "as_json", is_flag=True)
def set_role_command(username, role, as_json):
    """Change a staff member's role (ends their sessions)."""
    _run(lambda s: operations.update_account(s, _user(s, username), role=role))
    _echo(as_json, {"username": username, "role": role}, f"{username} 的角色已改为 {role}，其登录已全部退出")


def _state_command(name: str, active: bool, help_text: str, done: str):
    @user_cli.command(name, help=help_text)
    @click.option("--username", required=True)
    @click.option("--json", "as_json", is_flag=True)
    def command(username, as_json):
        _run(lambda s: operations.set_active(s, _user(s, username), active))
        _echo(as_json, {"username": username, "active": active}, f"{username} {done}")

    return command


disable_command = _state_command("disable", False, "Disable an account (ends its sessions).", "已停用，其登录已全部退出")
enable_command = _state_command("enable", True, "Enable a disabled account.", "已启用")


@user_cli.command("set-password")
@click.option("--username", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--json", "as_json", is_flag=True)
def set_password_command(username, password, as_json):
    """Set a one-time password (to be changed at next sign-in; ends the user's sessions)."""
    _run(lambda s: operations.set_one_time_password(s, _user(s, username), password))
    _echo(as_json, {"username": username, "must_change_password": True},
          f"已为 {username} 设置一次性密码，下次登录时须修改")
