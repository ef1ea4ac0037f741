"""Indicator #1 (问需) suggested from the community's two lists.

The official table gives 4 points when the demand list and the project list exist and 4 when
"the listed projects are carried out", without saying how many projects make "carried out".
That threshold is a trial rule: it lives in ``needs_rule.yaml`` (or the file / mapping named by
the ``COMMUNITY_NEEDS_RULE`` setting), never in code, and the suggestion says it is 试行.

The assessor confirms: this only suggests the two facts ``lists_exist`` and
``projects_carried_out`` that the evaluation's ``needs`` indicator takes, with the reasons.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import yaml
from flask import current_app, has_app_context
from sqlmodel import Session, select

from ..models import CommunityProject, ProjectStatus
from .queries import MIN_GROUP, latest_demand

DEFAULT_RULE_FILE = Path(__file__).resolve().parent / "needs_rule.yaml"
STARTED = (ProjectStatus.in_progress.value, ProjectStatus.done.value)


class NeedsRuleError(ValueError):
    """The rule file says something that cannot be a threshold."""


@dataclass(frozen=True)
class NeedsRule:
    started_share: Fraction = Fraction(1)
    completed_share: Fraction = Fraction(1, 2)
    count_on_hold: bool = True
    min_projects: int = 1
    trial: bool = True


def _share(value, name: str) -> Fraction:
    try:
        share = Fraction(str(value))
    except (TypeError, ValueError, ZeroDivisionError) as exc:
        raise NeedsRuleError(f"{name} 应为 0 到 1 之间的数") from exc
    if not 0 <= share <= 1:
        raise NeedsRuleError(f"{name} 应为 0 到 1 之间的数")
    return share


def load_rule(source=None) -> NeedsRule:
    """``source``: None (the shipped default), a path to a YAML file, or a mapping."""
    if source is None:
        source = DEFAULT_RULE_FILE
    if isinstance(source, (str, Path)):
        data = yaml.safe_load(Path(source).read_text(encoding="utf-8")) or {}
    else:
        data = dict(source)
    if not isinstance(data, dict):
        raise NeedsRuleError("口径文件应是键值对")
    min_projects = data.get("min_projects", 1)
    if not isinstance(min_projects, int) or isinstance(min_projects, bool) or min_projects < 1:
        raise NeedsRuleError("min_projects 应为正整数")
    return NeedsRule(
        started_share=_share(data.get("started_share", 1), "started_share"),
        completed_share=_share(data.get("completed_share", "1/2"), "completed_share"),
        count_on_hold=bool(data.get("count_on_hold", True)),
        min_projects=min_projects,
        trial=bool(data.get("trial", True)),
    )


def current_rule() -> NeedsRule:
    """The app's rule (setting ``COMMUNITY_NEEDS_RULE``), else the shipped default."""
    source = current_app.config.get("COMMUNITY_NEEDS_RULE") if has_app_context() else None
    return load_rule(source)


def share_text(share: Fraction) -> str:
    if share == 1:
        return "全部"
    if share == Fraction(1, 2):
        return "至少一半"
    return f"至少 {float(share) * 100:g}%"


def carried_out(statuses: list[str], rule: NeedsRule) -> tuple[bool, str]:
    """Whether projects with these statuses count as carried out, and the sentence saying so."""
    on_hold = statuses.count(ProjectStatus.on_hold.value)
    listed = [s for s in statuses if rule.count_on_hold or s != ProjectStatus.on_hold.value]
    started = sum(1 for s in listed if s in STARTED)
    done = sum(1 for s in listed if s == ProjectStatus.done.value)
    n = len(listed)
    need_started = math.ceil(rule.started_share * n)
    need_done = math.ceil(rule.completed_share * n)
    ok = n >= rule.min_projects and started >= need_started and done >= need_done
    hold = ""
    if on_hold:
        hold = f"（含搁置 {on_hold} 个，按未启动计）" if rule.count_on_hold else f"（另有搁置 {on_hold} 个，不计入）"
    if n < rule.min_projects:
        sentence = f"计入的清单项目 {n} 个{hold}，少于 {rule.min_projects} 个。"
    else:
        sentence = (f"清单项目 {n} 个{hold}：已启动 {started} 个（要求{share_text(rule.started_share)}启动，"
                    f"即 {need_started} 个），已完成 {done} 个（要求{share_text(rule.completed_share)}完成，即 {need_done} 个）。")
    return ok, sentence


def needs_suggestion(session: Session, circle_id: int, rule: NeedsRule | None = None) -> dict:
    """``{"lists_exist": bool, "projects_carried_out": bool, "reasons": [str, ...]}`` for one
    circle, from its latest resident survey and its project list (the assessor confirms)."""
    rule = rule or current_rule()
    reasons: list[str] = []
    demand = latest_demand(session, circle_id)
    if demand is None:
        reasons.append("需求清单：还没有含“缺少哪些店铺或服务”一题的居民问卷调查。")
        demand_ok = False
    elif demand["suppressed"]:
        reasons.append(f"需求清单：第 {demand['campaign']['id']} 号调查回答需求题的居民不足 {MIN_GROUP} 人，无法形成清单。")
        demand_ok = False
    else:
        reasons.append(f"需求清单：来自第 {demand['campaign']['id']} 号居民问卷调查，"
                       f"{demand['respondents']} 位居民回答了需求题。")
        demand_ok = True
    statuses = list(session.exec(select(CommunityProject.status).where(CommunityProject.circle_id == circle_id)))
    if statuses:
        reasons.append(f"项目清单：共 {len(statuses)} 个项目。")
    else:
        reasons.append("项目清单：还没有项目。")
    lists_exist = demand_ok and bool(statuses)
    reasons.append("两个清单都有，建议“需求清单和项目清单”得 4 分。" if lists_exist
                   else "两个清单不全，建议“需求清单和项目清单”得 0 分。")
    ok, sentence = carried_out(statuses, rule)
    reasons.append(sentence)
    reasons.append("达到口径，建议“清单项目推进实施”得 4 分。" if ok
                   else "未达到口径，建议“清单项目推进实施”得 0 分。")
    if rule.trial:
        reasons.append(f"推进实施的口径为试行：{share_text(rule.started_share)}启动、"
                       f"{share_text(rule.completed_share)}完成，可在配置文件中调整；以评价机构核定为准。")
    return {"lists_exist": lists_exist, "projects_carried_out": ok, "reasons": reasons}
