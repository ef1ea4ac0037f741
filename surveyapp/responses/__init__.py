"""Stored responses: writing them (with their quality facts and answer tallies), the
assessor's exclude/restore decisions, and the paper import (``surveyapp responses ...`` and the
upload pages under a campaign)."""


def init_app(app) -> None:
    from ..models.response import CHANNEL_NAMES, IMPORTED_CHANNELS, channel_name
    from .cli import responses_cli
    from .routes import bp

    app.register_blueprint(bp)
    app.add_template_filter(channel_name, "channel")
    app.jinja_env.globals.update(channel_names=CHANNEL_NAMES, imported_channels=IMPORTED_CHANNELS)
    app.cli.add_command(responses_cli)
