"""Labelled response data out (XLSX, CSV, SPSS, Stata), the codebook, and XLSForm both ways:
what statisticians and field teams use, from the same questionnaire files."""


def init_app(app) -> None:
    from ..xlsform.cli import xlsform_cli
    from .cli import export_cli
    from .routes import bp

    app.register_blueprint(bp)
    app.cli.add_command(export_cli)
    app.cli.add_command(xlsform_cli)
