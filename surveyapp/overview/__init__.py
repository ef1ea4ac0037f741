"""The city overview: the assessor's home page, one row per circle they may see, what needs
attention first, with XLSX and PDF (one 汇总表 page per circle) exports."""


def init_app(app) -> None:
    from .cli import overview_command
    from .routes import bp

    app.register_blueprint(bp)
    app.cli.add_command(overview_command)
