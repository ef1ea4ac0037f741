"""Stored responses: writing them (with their quality facts and answer tallies), the
assessor's exclude/restore decisions, and the paper import."""


def init_app(app) -> None:
    from .cli import responses_cli

    app.cli.add_command(responses_cli)
