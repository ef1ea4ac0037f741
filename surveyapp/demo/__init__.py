"""The demo circle: realistic synthetic data so that every page has something to show."""


def init_app(app) -> None:
    from .cli import demo_command

    app.cli.add_command(demo_command)
