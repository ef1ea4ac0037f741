"""``surveyapp circle create``."""
from __future__ import annotations

import json

import click
from flask.cli import AppGroup
from pydantic import ValidationError

from ..db import session_scope
from ..models import CircleCreate, CommunityCreate
from .operations import create_circle, population_gap

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
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
def create_command(name, population, communities, city_tier, as_json):
    """Register a circle; prints its id."""
    try:
        data = CircleCreate(
            name=name,
            population=population,
            city_tier=city_tier,
            communities=[_parse_community(c) for c in communities],
        )
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise click.ClickException(f"输入有误: {problems}") from exc
    with session_scope() as session:
        try:
            circle = create_circle(session, data)
        except ValueError as exc:
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
