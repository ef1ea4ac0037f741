"""Staff accounts in the browser (admins only) and ``surveyapp user ...`` on the command line."""


def init_app(app) -> None:
    from .cli import user_cli
    from .routes import bp

    app.register_blueprint(bp)
    app.cli.add_command(user_cli)
