"""``surveyapp evaluation ...``: open a round, enter the inventory and facts, show the sheet."""
from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import AppGroup
from sqlmodel import select

from ..db import session_scope
from ..models import Campaign, Circle, Evaluation
from .facts_input import parse_fact
from ..models.timeutil import utcnow
from . import states
from .completeness import gaps
from .operations import (EvaluationError, IncompleteEvaluation, confirm_open_campaign, delete_draft, mark_ready,
                         open_evaluation, save_facts, save_inventory, start_correction, withdraw)
from .registry import UnknownRules, current_rules, rules_by_hash
from .rules import RulesError
from .service import circle_history, evaluation_sheet

evaluation_cli = AppGroup("evaluation", help="Evaluations of circles on the two official tables.")


def _fail(message: str):
    raise click.ClickException(message)


def _evaluation(session, evaluation_id: int) -> Evaluation:
    evaluation = session.get(Evaluation, evaluation_id)
    if evaluation is None:
        _fail(f"评价 {evaluation_id} 不存在")
    return evaluation


@evaluation_cli.command("create")
@click.option("--circle", "circle_id", required=True, type=int)
@click.option("--campaign", "campaign_id", type=int, help="Resident campaign for indicators #2 and #3.")
@click.option("--rules", "rules_name", help="Rules file name in RULES_DIR (default: SURVEYAPP_DEFAULT_RULES).")
@click.option("--date", "on", type=click.DateTime(["%Y-%m-%d"]), help="Evaluation date, default today.")
@click.option("--json", "as_json", is_flag=True)
def create_command(circle_id, campaign_id, rules_name, on, as_json):
    """Open the next evaluation round of a circle."""
    with session_scope() as session:
        circle = session.get(Circle, circle_id) or _fail(f"生活圈 {circle_id} 不存在")
        campaign = None
        if campaign_id is not None:
            campaign = session.get(Campaign, campaign_id) or _fail(f"问卷调查 {campaign_id} 不存在")
        try:
            rules = current_rules(rules_name or current_app.config["DEFAULT_RULES"])
            evaluation = open_evaluation(session, circle, rules, campaign, evaluated_on=on.date() if on else None)
        except UnknownRules:
            _fail(f"找不到评价规则 {rules_name}")
        except RulesError as exc:
            _fail(f"评价规则文件有误: {exc}")
        except EvaluationError as exc:
            _fail(str(exc))
        document = {"id": evaluation.id, "circle": circle.id, "round": evaluation.round,
                    "rules": {"name": rules.name, "version": rules.version, "hash": rules.content_hash}}
    click.echo(json.dumps(document, ensure_ascii=False) if as_json else
               f"已开始 {circle.name} 第 {document['round']} 轮评价 (id {document['id']})，规则 {rules.name} {rules.version}")


@evaluation_cli.command("inventory")
@click.option("--evaluation", "evaluation_id", required=True, type=int)
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False),
              help='JSON: {"convenience_store": {"outlets": 6, "evidence": "..."}, ...}')
@click.option("--present", help="Comma-separated type codes present (one outlet each unless --file says more).")
def inventory_command(evaluation_id, path, present):
    """Replace a round's outlet-type inventory (有没有)."""
    entries: dict = {}
    if path:
        try:
            entries = json.loads(open(path, encoding="utf-8").read())
        except (OSError, ValueError) as exc:
            _fail(f"无法读取 {path}: {exc}")
    for code in (present or "").split(","):
        if code.strip():
            entries.setdefault(code.strip(), {"present": True})
    with session_scope() as session:
        evaluation = _evaluation(session, evaluation_id)
        rules = rules_by_hash(session, evaluation.rules_hash)
        try:
            save_inventory(session, evaluation, rules, entries)
        except EvaluationError as exc:
            _fail(str(exc))
    click.echo(f"已保存 {len(entries)} 类业态")


@evaluation_cli.command("facts")
@click.option("--evaluation", "evaluation_id", required=True, type=int)
@click.option("--indicator", required=True)
@click.option("--set", "pairs", multiple=True, metavar="NAME=VALUE", help="A fact (repeatable).")
@click.option("--self-points", type=float, help="The circle's self-assessment (自评) for this indicator.")
@click.option("--not-applicable", "reason", help="Mark the indicator 不适用 (scored 0) with this reason.")
def facts_command(evaluation_id, indicator, pairs, self_points, reason):
    """Enter the field-inspection facts of one service indicator (or mark it not applicable)."""
    with session_scope() as session:
        evaluation = _evaluation(session, evaluation_id)
        rules = rules_by_hash(session, evaluation.rules_hash)
        if indicator not in rules.indicator_keys:
            _fail(f"未知指标 {indicator}，可选: {', '.join(rules.indicator_keys)}")
        fields = {f.name: f for f in rules.indicator_fields(indicator)}
        facts = {}
        for pair in pairs:
            name, sep, raw = pair.partition("=")
            if not sep or name not in fields:
                _fail(f"{pair!r}: 请写成 名称=值，名称可选: {', '.join(fields)}")
            try:
                value = parse_fact(fields[name], raw)
            except ValueError as exc:
                _fail(str(exc))
            if value is not None:
                facts[name] = value
        circle = session.get(Circle, evaluation.circle_id)
        try:
            save_facts(session, evaluation, rules, indicator, facts, self_points, note=reason or "",
                       city_tier=circle.city_tier, not_applicable=reason is not None)
        except EvaluationError as exc:
            _fail(str(exc))
    click.echo(f"已将指标 {indicator} 标为不适用" if reason is not None else f"已保存指标 {indicator} 的 {len(facts)} 项事实")


@evaluation_cli.command("show")
@click.option("--circle", "circle_id", type=int)
@click.option("--round", "round_", type=int, help="Round number, default the latest.")
@click.option("--evaluation", "evaluation_id", type=int, help="One evaluation (a round or a correction) by id.")
@click.option("--json", "as_json", is_flag=True)
def show_command(circle_id, round_, evaluation_id, as_json):
    """Every indicator's points, the outcome and the state of one round (with what is missing
    before it can be issued)."""
    with session_scope() as session:
        if evaluation_id is not None:
            evaluation = _evaluation(session, evaluation_id)
        else:
            if circle_id is None:
                _fail("请用 --circle（可加 --round）或 --evaluation 指定评价")
            query = select(Evaluation).where(Evaluation.circle_id == circle_id)
            if round_:
                query = query.where(Evaluation.round == round_)
            evaluation = session.exec(query.order_by(Evaluation.round.desc(), Evaluation.revision.desc())).first()
            if evaluation is None:
                _fail(f"生活圈 {circle_id} 没有{'第 %d 轮' % round_ if round_ else ''}评价")
        sheet = evaluation_sheet(session, evaluation)
        sheet["evaluation"]["missing"] = [gap.to_dict() for gap in gaps(session, evaluation, utcnow())] \
            if states.state(evaluation.state).editable else []
    if as_json:
        click.echo(json.dumps(sheet, ensure_ascii=False, allow_nan=False))
        return
    out = sheet["outcome"]
    life = sheet["evaluation"]
    click.echo(f"状态：{life['state_label']}" + (f"，报告 {life['report_number']}" if life["report_number"] else "")
               + (f"（取代 {life['replaces_report']}）" if life["replaces_report"] else "")
               + (f"，已被 {life['replaced_by_report']} 更正" if life["replaced_by_report"] else ""))
    for gap in life["missing"]:
        click.echo(f"  缺少：{gap['message']}")
    click.echo(f"{sheet['evaluation']['circle_name']} 第 {sheet['evaluation']['round']} 轮（规则 "
               f"{sheet['rules']['name']} {sheet['rules']['version']}{'，含试行条款' if sheet['rules']['trial'] else ''}）")
    click.echo(f"业态“有没有” {sheet['presence']['total']:g} 分")
    for item in sheet["service"]["indicators"]:
        click.echo(f"  {item['label']}: {item['points']:g} / {item['max_points']:g}")
    click.echo(f"服务“好不好” {sheet['service']['total']:g} 分，{out['grade']['label']}")
    click.echo(f"结果: {out['final_type']['label'] + ' ' + out['final_type']['stars_label'] if out['final_type'] else '不授予类型'}"
               + (f"（{out['reason']}）" if out["reason"] else ""))


@evaluation_cli.command("history")
@click.option("--circle", "circle_id", required=True, type=int)
@click.option("--json", "as_json", is_flag=True)
def history_command(circle_id, as_json):
    """Every round of a circle, with movement and the change in satisfaction."""
    with session_scope() as session:
        circle = session.get(Circle, circle_id) or _fail(f"生活圈 {circle_id} 不存在")
        history = circle_history(session, circle)
    if as_json:
        click.echo(json.dumps(history, ensure_ascii=False, allow_nan=False))
        return
    for entry in history:
        if not entry["result"]:
            click.echo(f"第 {entry['round']} 轮 {entry['evaluated_on']}: {entry['status_label']}")
            continue
        kind = entry["final_type"]["label"] if entry["final_type"] else "无类型"
        click.echo(f"第 {entry['round']} 轮 {entry['evaluated_on']}: {kind}，有没有 {entry['presence_total']:g}，"
                   f"好不好 {entry['service_total']:g}，{entry['grade']['label']}"
                   + {"up": "（上升）", "down": "（下降）", "same": "（持平）", None: ""}[entry["movement"]])


def _gaps_text(exc: IncompleteEvaluation) -> str:
    return "这一轮评价还不完整。缺少：\n" + "\n".join(f"  - {gap.message}" for gap in exc.gaps)


def _carry_out(evaluation_id: int, act):
    """``act(session, evaluation)`` on one evaluation; a refused move exits with its message."""
    with session_scope() as session:
        evaluation = _evaluation(session, evaluation_id)
        try:
            return act(session, evaluation)
        except IncompleteEvaluation as exc:
            _fail(_gaps_text(exc))
        except EvaluationError as exc:
            _fail(str(exc))


@evaluation_cli.command("ready")
@click.option("--evaluation", "evaluation_id", required=True, type=int)
@click.option("--confirm-open-campaign", "confirm_open", is_flag=True,
              help="Accept issuing from a resident campaign that is still open.")
def ready_command(evaluation_id, confirm_open):
    """草稿 → 待签发: refused, with what is missing, while the round is incomplete."""
    def act(session, evaluation):
        if confirm_open:
            confirm_open_campaign(session, evaluation, True)
        mark_ready(session, evaluation)
    _carry_out(evaluation_id, act)
    click.echo(f"评价 {evaluation_id} 已提交待签发")


@evaluation_cli.command("withdraw")
@click.option("--evaluation", "evaluation_id", required=True, type=int)
@click.option("--reason", required=True, help="Why the issued report is withdrawn (kept in the record).")
def withdraw_command(evaluation_id, reason):
    """已签发 → 已撤回. The report's bytes are kept and marked withdrawn."""
    _carry_out(evaluation_id, lambda session, evaluation: withdraw(session, evaluation, reason))
    click.echo(f"已撤回评价 {evaluation_id} 的报告")


@evaluation_cli.command("correct")
@click.option("--evaluation", "evaluation_id", required=True, type=int)
@click.option("--reason", required=True, help="What the correction corrects.")
@click.option("--json", "as_json", is_flag=True)
def correct_command(evaluation_id, reason, as_json):
    """Start a correction of an issued round: a draft copy to edit and issue under a new number."""
    def act(session, evaluation):
        draft = start_correction(session, evaluation, reason)
        return {"id": draft.id, "round": draft.round, "revision": draft.revision, "corrects": evaluation.id,
                "state": draft.state}
    document = _carry_out(evaluation_id, act)
    click.echo(json.dumps(document, ensure_ascii=False) if as_json else
               f"已建立第 {document['round']} 轮的更正稿 {document['revision']}（id {document['id']}）：修改后用 "
               f"surveyapp report --evaluation {document['id']} --issue 签发")


@evaluation_cli.command("delete")
@click.option("--evaluation", "evaluation_id", required=True, type=int)
@click.option("--yes", is_flag=True, help="Confirm: the draft, its inventory and facts are deleted.")
def delete_command(evaluation_id, yes):
    """Delete a draft round (only drafts; asks for --yes)."""
    if not yes:
        _fail("删除草稿不能恢复；确认请加 --yes")
    _carry_out(evaluation_id, delete_draft)
    click.echo(f"已删除评价草稿 {evaluation_id}")
