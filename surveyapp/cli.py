"""The ``surveyapp`` console script: Flask's CLI with the app preset.

``surveyapp run`` serves; the project's own commands are registered by each feature's
``init_app`` (circle, campaign, user, demo, init-db ...).
"""
from __future__ import annotations

from flask.cli import FlaskGroup


def _create_app():
    from . import create_app

    return create_app()


def init_app(app) -> None:
    from .circles import init_app as init_circles
    from .demo import init_app as init_demo
    from .responses import init_app as init_responses

    init_circles(app)
    init_demo(app)
    init_responses(app)


def main() -> None:
    cli = FlaskGroup(create_app=_create_app, help="surveyapp: 一刻钟便民生活圈 survey and evaluation platform.")
    cli.main(prog_name="surveyapp")
