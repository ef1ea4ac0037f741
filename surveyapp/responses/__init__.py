"""Stored responses: writing them (with their quality facts and answer tallies), the
assessor's exclude/restore decisions, and the paper import (``surveyapp responses ...`` and the
upload pages under a campaign)."""


def init_app(app) -> None:
    from .cli import responses_cli
    from .routes import bp

    app.register_blueprint(bp)
    app.cli.add_command(responses_cli)
