"""Reads of the audit log: filtered, paged, and the before/after values made readable.

Nothing here writes: the log is append-only (database triggers refuse UPDATE and DELETE),
and the pages that show it offer no edit.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_
from sqlmodel import Session, select

from ..models import AuditEntry, Circle
from ..models.community import PROJECT_STATUS_LABELS
from ..timezones import local

PAGE_SIZE = 50
#: Most rows one export holds (the filter narrows a larger log).
EXPORT_LIMIT = 50_000

#: What each action is called on the page (an action not listed shows its code).
ACTION_LABELS = {
    "auth.login": "登录", "auth.logout": "退出登录", "auth.login_failed": "登录失败",
    "account.create": "新建账户", "account.update": "修改账户", "account.circles": "分配生活圈",
    "account.password": "设置一次性密码", "account.own_password": "修改自己的密码",
    "account.disable": "停用账户", "account.enable": "启用账户",
    "circle.create": "新建生活圈", "circle.update": "修改生活圈", "circle.import": "导入生活圈清单",
    "campaign.open": "开展问卷调查", "campaign.dates": "修改调查日期", "campaign.close": "提前结束问卷调查",
    "campaign.reopen": "重新开放问卷调查", "campaign.device_rule": "修改每部手机可填份数",
    "responses.import": "导入纸质问卷", "response.exclude": "剔除问卷", "response.restore": "恢复问卷",
    "evaluation.create": "新建评价轮次", "evaluation.campaign": "关联问卷调查", "evaluation.inventory": "保存业态清单",
    "evaluation.self_presence": "保存自评分", "evaluation.facts": "录入服务指标事实",
    "evaluation.confirm_open_campaign": "确认调查未结束", "evaluation.ready": "提交待签发",
    "evaluation.state": "评价状态变更", "evaluation.delete": "删除草稿", "evaluation.withdraw": "撤回评价",
    "evaluation.correct": "更正评价", "report.issue": "签发报告", "report.withdraw": "撤回报告",
    "setting.update": "修改机构设置",
    "outlet.create": "新增网点", "outlet.status": "修改网点状态", "outlet.merge": "合并重复网点",
    "outlet.separate": "确认不是重复网点", "outlet.locate": "标注网点位置",
    "community_point.add": "新增社区代表点", "community_point.delete": "删除社区代表点",
    "project.create": "新建项目", "project.update": "修改项目", "project.note": "项目备注",
    "suggestion.triage": "处理居民建议", "demand.decline": "不采纳需求", "demand.withdraw_decline": "撤销不采纳",
}
TARGET_LABELS = {"user": "账户", "circle": "生活圈", "campaign": "问卷调查", "response": "问卷", "evaluation": "评价",
                 "report": "报告", "setting": "机构设置", "outlet": "网点", "project": "项目",
                 "community_point": "社区代表点", "suggestion": "建议", "demand": "需求", "circle_list": "生活圈清单"}


#: Before/after keys as a person reads them (a key not listed shows as it is stored).
FIELD_LABELS = {
    "file": "文件", "imported": "导入份数", "incomplete": "其中不完整", "duplicates": "其中编号重复",
    "skipped_empty": "跳过空行", "answers_per_device": "每部手机可填份数", "exclusion": "剔除原因",
    "speed_exempt": "不按答题时间剔除", "note": "说明", "username": "用户名", "display_name": "姓名或单位",
    "role": "角色", "active": "启用", "circles": "可查看的生活圈", "must_change_password": "须修改密码",
    "locked_seconds": "锁定秒数", "state": "状态", "reason": "原因", "name": "名称", "population": "服务人口",
    "city_tier": "城市等级", "communities": "社区", "opens_at": "开始时间", "closes_at": "截止时间",
    "status": "状态", "campaign_id": "问卷调查", "report_number": "报告编号", "kind": "种类",
    "facts": "事实", "self_points": "自评分", "not_applicable": "不适用", "present": "有", "outlets": "网点数",
    "title": "标题", "assessor_firm": "评价机构名称", "latitude": "纬度", "longitude": "经度", "label": "名称",
    "age_structure": "年龄结构", "address": "地址", "notes": "备注", "questionnaire": "问卷",
    "questionnaire_version": "问卷版本",
}


def field_label(key: str) -> str:
    return FIELD_LABELS.get(key, key)


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def target_label(entry: AuditEntry) -> str:
    if not entry.target_type:
        return ""
    label = TARGET_LABELS.get(entry.target_type, entry.target_type)
    return f"{label} #{entry.target_id}" if entry.target_id else label


#: A time as ``audit.operations.plain`` stores it (``datetime.isoformat()``, in UTC); a
#: calendar date alone (``2026-11-30``) is not a time and is shown as it is.
STORED_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?([+-]\d{2}:\d{2}|Z)?")
#: How the log shows a time: its own time column, and the times inside before/after.
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def local_time(stamp: str) -> str:
    """A stored time in the circles' local time (China time), as the log shows its own times.

    A stamp without an offset is UTC (SQLite hands stored times back without one)."""
    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return local(moment, TIME_FORMAT)


def readable(value) -> str:
    """A before/after value as a person reads it: lists joined, booleans 是/否, empty as —,
    times in China time."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, str) and STORED_TIME.fullmatch(value):
        return local_time(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (list, tuple)):
        return "、".join(readable(item) for item in value)
    if isinstance(value, dict):
        return "；".join(f"{key}：{readable(item)}" for key, item in value.items())
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


#: Keys whose value is a list of circle ids (an account's circles, the circles an import created).
CIRCLE_LIST_KEYS = ("circles",)


def circle_names(session: Session, entries) -> dict[int, str]:
    """Names of the circles the entries' before/after name by id, in one query: the log shows
    "幸福里生活圈（#3）" where the entry stores 3 (ids stay in the entry, as machines read it)."""
    ids = {item for entry in entries for side in (entry.before or {}, entry.after or {})
           for key in CIRCLE_LIST_KEYS if isinstance(side.get(key), list)
           for item in side[key] if isinstance(item, int)}
    if not ids:
        return {}
    return dict(session.exec(select(Circle.id, Circle.name).where(Circle.id.in_(ids))).all())


#: The words for a ``status`` code, by what it is the status of (the same code means different
#: things on a survey and on an outlet).
STATUS_LABELS = {
    "campaign": {"open": "开放", "closed": "已结束"},
    "outlet": {"open": "在营", "closed": "已关闭", "merged": "已合并"},
    "project": PROJECT_STATUS_LABELS,
}


def _value(key: str, value, names: dict[int, str] | None = None, target_type: str | None = None) -> str:
    """A stored code in words where the code has a label (a round's state, a role, a circle,
    a survey's, an outlet's or a project's status)."""
    from ..models.user import ROLE_LABELS
    from ..evaluation import states

    status_labels = STATUS_LABELS.get(target_type or "", {})
    if key == "status" and isinstance(value, str) and value in status_labels:
        return status_labels[value]

    if key in CIRCLE_LIST_KEYS and isinstance(value, list) and value and names is not None:
        return "、".join(f"{names.get(item, '已删除的生活圈')}（#{item}）" if isinstance(item, int) else readable(item)
                        for item in value)

    if key == "state" and isinstance(value, str) and value in states.STATES:
        return states.label(value)
    if key == "role" and isinstance(value, str) and value in ROLE_LABELS:
        return ROLE_LABELS[value]
    return readable(value)


def changes(entry: AuditEntry, names: dict[int, str] | None = None) -> list[tuple[str, str, str]]:
    """(field, before, after) for every key of the entry, in the order first seen; ``names``
    (:func:`circle_names`) turns circle ids into names."""
    before, after = entry.before or {}, entry.after or {}
    keys = list(dict.fromkeys([*before, *after]))
    kind = entry.target_type
    return [(field_label(key), _value(key, before.get(key), names, kind) if entry.before is not None else "",
             _value(key, after.get(key), names, kind) if entry.after is not None else "") for key in keys]


def changes_text(entry: AuditEntry, names: dict[int, str] | None = None) -> str:
    """The changes on one line (the export): ``字段：前 → 后``."""
    parts = []
    for key, old, new in changes(entry, names):
        parts.append(f"{key}：{old} → {new}" if old and entry.before is not None else f"{key}：{new}")
    return "；".join(parts)


@dataclass(frozen=True)
class Filters:
    """The log's filters; empty fields filter nothing. Dates are local calendar days."""

    actor: str = ""
    action: str = ""
    circle_id: int | None = None
    target: str = ""
    date_from: date | None = None
    date_to: date | None = None


def _utc_start(day: date, zone: str) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=ZoneInfo(zone)).astimezone(ZoneInfo("UTC"))


def _query(filters: Filters, zone: str):
    query = select(AuditEntry)
    if filters.actor:
        query = query.where(AuditEntry.actor.contains(filters.actor, autoescape=True))
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.circle_id is not None:
        query = query.where(AuditEntry.circle_id == filters.circle_id)
    if filters.target:
        text = filters.target.strip().lstrip("#")
        kind = next((code for code, label in TARGET_LABELS.items() if label == text), None)
        if kind is not None:
            query = query.where(AuditEntry.target_type == kind)
        else:
            query = query.where(or_(AuditEntry.target_id == text, AuditEntry.target_type == text,
                                    AuditEntry.summary.contains(filters.target, autoescape=True)))
    if filters.date_from is not None:
        query = query.where(AuditEntry.at >= _utc_start(filters.date_from, zone))
    if filters.date_to is not None:
        query = query.where(AuditEntry.at < _utc_start(filters.date_to + timedelta(days=1), zone))
    return query


def entries_page(session: Session, filters: Filters, zone: str, page: int = 1,
                 size: int = PAGE_SIZE) -> tuple[list[AuditEntry], int]:
    """One page of entries, newest first, and how many match in all."""
    query = _query(filters, zone)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(AuditEntry.id.desc()).offset((max(page, 1) - 1) * size).limit(size)).all()
    return list(rows), total


def entries_for_export(session: Session, filters: Filters, zone: str) -> list[AuditEntry]:
    return list(session.exec(_query(filters, zone).order_by(AuditEntry.id.desc()).limit(EXPORT_LIMIT)).all())


def recent_entries(session: Session, count: int = 10) -> list[AuditEntry]:
    return list(session.exec(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(count)).all())


def known_actions(session: Session) -> list[str]:
    """Every action code in the log and every labelled one, for the filter's list."""
    found = set(session.exec(select(AuditEntry.action).distinct()).all())
    return sorted(found | set(ACTION_LABELS), key=lambda code: (action_label(code), code))


def as_json(value) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)
