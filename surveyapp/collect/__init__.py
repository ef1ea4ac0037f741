"""The public side: residents and merchants answer a campaign's questionnaire by QR link.

Nothing here requires or knows about staff accounts; staff pages live in other blueprints.
"""
from .routes import bp


def init_app(app) -> None:
    from .cli import drafts_cli

    app.register_blueprint(bp)
    app.cli.add_command(drafts_cli)
