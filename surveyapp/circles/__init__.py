"""Living circles and their communities: registration (writes) and look-ups (reads)."""


def init_app(app) -> None:
    from .cli import circle_cli

    app.cli.add_command(circle_cli)
