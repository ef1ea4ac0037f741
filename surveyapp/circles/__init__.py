"""Living circles and their communities: registration and editing (writes), look-ups (reads),
the staff pages that create and edit them and import a city's list, and ``surveyapp circle``."""


def init_app(app) -> None:
    from .cli import circle_cli
    from .routes import bp

    app.register_blueprint(bp)
    app.cli.add_command(circle_cli)
