"""Survey campaigns: opening one for a circle, its public link and QR code."""


def init_app(app) -> None:
    from .cli import campaign_cli

    app.cli.add_command(campaign_cli)
