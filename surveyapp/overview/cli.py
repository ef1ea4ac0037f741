"""``surveyapp overview``: the city overview at a shell (every circle, as an admin sees it)."""
from __future__ import annotations

import json
from dataclasses import asdict
from fractions import Fraction
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from reports.summary_sheet import city_summary_pdf

from ..appsettings.operations import assessor_firm
from ..db import session_scope
from ..models.timeutil import utcnow
from ..results.service import default_sample_rate
from ..timezones import local_today
from .export import overview_xlsx
from .queries import View, city_overview


class _Everyone:
    """The shell sees every circle, as an admin does."""

    is_admin = True


@click.command("overview")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@click.option("--xlsx", "xlsx_out", type=click.Path(dir_okay=False, path_type=Path), help="Write the XLSX export.")
@click.option("--pdf", "pdf_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the 汇总表 PDF (one page per circle).")
@click.option("--attention", is_flag=True, help="Only circles that need attention.")
@with_appcontext
def overview_command(as_json, xlsx_out, pdf_out, attention):
    """Every circle: population, survey, sample, satisfaction, latest round; what needs attention first."""
    with session_scope() as session:
        rows = city_overview(session, _Everyone(), utcnow(), sample_rate=default_sample_rate(),
                             too_fast_fraction=Fraction(str(current_app.config["TOO_FAST_FRACTION"])))
        firm = assessor_firm(session)
    rows = View(attention_only=attention).apply(rows)
    if xlsx_out:
        xlsx_out.write_bytes(overview_xlsx(rows))
    if pdf_out:
        sheets = [{"summary": r.summary, "circle": {"name": r.name, "population": r.population},
                   "report_number": r.report_number, "questionnaire_title": r.questionnaire_title}
                  for r in rows if r.summary is not None]
        pdf_out.write_bytes(city_summary_pdf(sheets, title="生活圈汇总表", assessor="命令行",
                                             issued_on=local_today(), firm=firm))
    if as_json:
        documents = []
        for row in rows:
            item = asdict(row)
            item.pop("summary")
            item["closes_at"] = row.closes_at.isoformat() if row.closes_at else None
            documents.append(item)
        click.echo(json.dumps({"circles": documents}, ensure_ascii=False))
        return
    for row in rows:
        sample = f"{row.valid}/{row.required}" if row.required else "—"
        click.echo(f"{row.name}\t{row.population}\t{row.survey_label}\t{sample}\t{row.round_label}\t"
                   f"{'；'.join(row.attention)}")
    click.echo(f"共 {len(rows)} 个生活圈")
