"""Survey campaigns: opening one for a circle, its public link and QR code, and the staff
pages that list them."""


def init_app(app) -> None:
    from .cli import campaign_cli
    from .routes import bp

    app.register_blueprint(bp)
    app.cli.add_command(campaign_cli)
