"""``surveyapp circle create | edit | import | template``: the command-line side of the circle pages."""
from __future__ import annotations

import json

import click
from flask.cli import AppGroup
from pydantic import ValidationError

from pathlib import Path

from flask import current_app

from ..db import session_scope
from ..models import Circle, CircleCreate, CommunityCreate, User
from ..responses.importer import ImportFailed, Limits
from . import citylist, queries
from .operations import CircleFieldError, create_circle, population_gap, store_city_list, update_circle

circle_cli = AppGroup("circle", help="Living circles (生活圈).")


def _parse_community(text: str) -> CommunityCreate:
    name, sep, population = text.rpartition("=")
    if not sep or not name.strip():
        raise click.BadParameter(f"{text!r}: 请写成 社区名=人口, 例如 幸福社区=8000")
    try:
        return CommunityCreate(name=name, population=int(population))
    except (ValueError, ValidationError) as exc:
        raise click.BadParameter(f"{text!r}: 人口必须是非负整数") from exc


@circle_cli.command("create")
@click.option("--name", required=True, help="Circle name, e.g. 示例生活圈.")
@click.option("--population", required=True, type=int, help="Served population (服务人口).")
@click.option("--community", "communities", multiple=True, metavar="NAME=POP", help="A community and its population (repeatable).")
@click.option("--city-tier", type=click.IntRange(1, 3), default=3, show_default=True)
@click.option("--address", default="", help="Address (district, street).")
@click.option("--notes", default="", help="Notes, e.g. where the population figure comes from.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
def create_command(name, population, communities, city_tier, address, notes, as_json):
    """Register a circle; prints its id."""
    try:
        data = CircleCreate(
            name=name,
            population=population,
            city_tier=city_tier,
            communities=[_parse_community(c) for c in communities],
            address=address, notes=notes,
        )
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise click.ClickException(f"输入有误: {problems}") from exc
    with session_scope() as session:
        try:
            circle = create_circle(session, data)
        except (CircleFieldError, ValueError) as exc:
            raise click.ClickException(str(exc)) from exc
        gap = population_gap(data)
        if as_json:
            click.echo(json.dumps({
                "id": circle.id, "name": circle.name, "population": circle.population,
                "city_tier": circle.city_tier,
                "communities": [c.model_dump() for c in data.communities],
            }, ensure_ascii=False))
        else:
            click.echo(f"已登记生活圈 {circle.name} (id {circle.id}, 服务人口 {circle.population})")
        if gap:
            click.echo(f"注意: 各社区人口之和与服务人口相差 {gap}", err=True)


def _problems(exc) -> str:
    return "\n".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())


@circle_cli.command("edit")
@click.option("--id", "circle_id", required=True, type=int, help="Circle id.")
@click.option("--name")
@click.option("--population", type=int, help="Served population; issued reports keep the figure they were issued with.")
@click.option("--community", "communities", multiple=True, metavar="NAME=POP",
              help="The full list of communities (repeatable); a community left out is removed.")
@click.option("--city-tier", type=click.IntRange(1, 3))
@click.option("--address")
@click.option("--notes")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
def edit_command(circle_id, name, population, communities, city_tier, address, notes, as_json):
    """Change a circle (audited); options not given stay as they are."""
    with session_scope() as session:
        circle = session.get(Circle, circle_id)
        if circle is None:
            raise click.ClickException(f"生活圈 {circle_id} 不存在")
        current = queries.communities_of(session, circle.id)
        try:
            data = CircleCreate(
                name=circle.name if name is None else name,
                population=circle.population if population is None else population,
                city_tier=circle.city_tier if city_tier is None else city_tier,
                communities=[_parse_community(c) for c in communities] if communities else
                [CommunityCreate(name=c.name, population=c.population) for c in current],
                age_structure=circle.age_structure,
                address=circle.address if address is None else address,
                notes=circle.notes if notes is None else notes)
        except ValidationError as exc:
            raise click.ClickException(f"输入有误: {_problems(exc)}") from exc
        try:
            update_circle(session, circle, data)
        except CircleFieldError as exc:
            session.rollback()
            raise click.ClickException(str(exc)) from exc
        issued = queries.issued_report_numbers(session, circle.id)
        document = {"id": circle.id, "name": circle.name, "population": circle.population,
                    "city_tier": circle.city_tier, "address": circle.address, "notes": circle.notes,
                    "communities": [{"name": c.name, "population": c.population} for c in data.communities],
                    "issued_reports_unchanged": issued}
    if as_json:
        click.echo(json.dumps(document, ensure_ascii=False))
    else:
        click.echo(f"已保存生活圈 {document['name']} (id {circle_id}, 服务人口 {document['population']})")
    if issued:
        click.echo(f"注意: 已签发的报告 {'、'.join(issued)} 按签发时的数据冻结，不随本次修改变化", err=True)


@circle_cli.command("template")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the XLSX template.")
def template_command(out):
    """Write the city-list template (example row; a second sheet explains each column)."""
    out.write_bytes(citylist.template_xlsx(queries.age_bands()))
    click.echo(f"已写入模板 {out}")


@circle_cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--grant", "grant_username", help="Let this staff member (an assessor) see the new circles.")
@click.option("--dry-run", is_flag=True, help="Check only; store nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
def import_command(file, grant_username, dry_run, as_json):
    """Register a whole city's circles from one XLSX/CSV (all or nothing); every problem is
    listed with its row and column."""
    from sqlmodel import select

    with session_scope() as session:
        grant_to = None
        if grant_username:
            grant_to = session.exec(select(User).where(User.username == grant_username)).first()
            if grant_to is None:
                raise click.ClickException(f"没有用户 {grant_username}")
        taken = queries.circle_names(session)
        try:
            checked = citylist.check_city_list(file, queries.age_bands(), taken,
                                               Limits.from_config(current_app.config))
        except ImportFailed as failed:
            for problem in failed.problems:
                click.echo(str(problem), err=True)
            raise click.ClickException(str(failed)) from None
        ids = []
        if not dry_run:
            ids = [c.id for c in store_city_list(session, checked.circles, grant_to=grant_to, file_name=file.name)]
    document = {"circles": len(checked.circles), "communities": checked.communities,
                "population": checked.population, "stored": not dry_run, "ids": ids}
    if as_json:
        click.echo(json.dumps(document, ensure_ascii=False))
    elif dry_run:
        click.echo(f"检查通过: {document['circles']} 个生活圈, {document['communities']} 个社区 (未保存)")
    else:
        click.echo(f"已导入 {document['circles']} 个生活圈, {document['communities']} 个社区: id {ids[0]}–{ids[-1]}")
