"""Settings admins keep in the database (the assessment firm's name): a page for admins and
``surveyapp settings show|set`` on the command line, both audited."""


def init_app(app) -> None:
    from .cli import settings_cli
    from .routes import bp

    app.register_blueprint(bp)
    app.cli.add_command(settings_cli)
