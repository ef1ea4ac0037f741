"""The ``surveyapp`` console script: Flask's CLI with the app preset.

``surveyapp run`` serves; the project's own commands are registered by each feature's
``init_app`` (circle, campaign, user, demo, init-db ...).
"""
from __future__ import annotations

import functools

import click
from flask.cli import FlaskGroup

from .textinput import UnreadableText, clean_text


def _create_app():
    from . import create_app

    return create_app()


def init_app(app) -> None:
    from .circles import init_app as init_circles
    from .demo import init_app as init_demo

    init_circles(app)
    init_demo(app)
    clean_options(app.cli)


def _cleaned(value, name: str):
    if isinstance(value, str):
        return clean_text(value, f"--{name}")
    if isinstance(value, (tuple, list)):
        return type(value)(_cleaned(item, name) for item in value)
    return value


def _with_clean_options(command: click.Command):
    """Wrap ``command``'s callback so that its text options pass the text rule
    (:mod:`surveyapp.textinput`) before it runs. File paths are left as the system gave them."""
    callback = command.callback
    if callback is None or getattr(callback, "cleans_options", False):
        return
    paths = {p.name for p in command.params if isinstance(p.type, (click.Path, click.File))}

    @functools.wraps(callback)
    def run(*args, **kwargs):
        try:
            kwargs = {k: v if k in paths else _cleaned(v, k.replace("_", "-")) for k, v in kwargs.items()}
        except UnreadableText as exc:
            raise click.BadParameter(str(exc)) from exc
        return callback(*args, **kwargs)

    run.cleans_options = True
    command.callback = run


def clean_options(group: click.Group) -> None:
    """Apply the text rule to every option of every command registered on ``group`` (run last,
    after every feature has registered its commands, so that new commands join by themselves)."""
    for command in group.commands.values():
        if isinstance(command, click.Group):
            clean_options(command)
        _with_clean_options(command)


def main() -> None:
    cli = FlaskGroup(create_app=_create_app, help="surveyapp: 一刻钟便民生活圈 survey and evaluation platform.")
    cli.main(prog_name="surveyapp")
