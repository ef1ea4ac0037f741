"""Answers collected on 问卷星 or 腾讯问卷, brought in from the platforms' exports: the
mapping step the assessor confirms, then the one write path (responses/)."""


def init_app(app) -> None:
    from ..responses.cli import responses_cli
    from .cli import import_platform_command
    from .routes import bp

    app.register_blueprint(bp)
    responses_cli.add_command(import_platform_command)
