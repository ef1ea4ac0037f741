"""Writes of the community pages: projects, progress notes, declined demands, suggestion triage.

Every function takes the circle the caller was allowed to see and refuses an object of another
circle, so a forged id in a form can never write across circles even if a route forgot to check.
"""
from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from ..audit.operations import record
from ..models import (Campaign, CommunityProject, DemandDecision, ProjectDemand, ProjectNote, ProjectStatus,
                      Response, SuggestionTriage)
from ..models.timeutil import utcnow

STATUSES = tuple(s.value for s in ProjectStatus)


class CommunityError(ValueError):
    """A write that cannot be carried out; the message is for the officer."""


def _clean(text: str | None, limit: int, what: str, required: bool = False) -> str:
    text = (text or "").strip()
    if required and not text:
        raise CommunityError(f"请填写{what}")
    if len(text) > limit:
        raise CommunityError(f"{what}不超过 {limit} 字")
    return text


def _apply_status(project: CommunityProject, status: str, on: date) -> None:
    """Set the status; 已完成 records the day it was reached (kept while it stays done)."""
    if status not in STATUSES:
        raise CommunityError("未知的项目状态")
    if status == ProjectStatus.done.value:
        if project.status != status or project.completed_on is None:
            project.completed_on = on
    else:
        project.completed_on = None
    project.status = status


def _set_links(session: Session, project: CommunityProject, demands) -> None:
    codes = {c for c in demands if c} | {project.type_code}
    for link in session.exec(select(ProjectDemand).where(ProjectDemand.project_id == project.id)):
        if link.type_code not in codes:
            session.delete(link)
        else:
            codes.discard(link.type_code)
    for code in sorted(codes):
        session.add(ProjectDemand(project_id=project.id, type_code=code))


def _fill(project: CommunityProject, known_types, data: dict) -> None:
    type_code = (data.get("type_code") or "").strip()
    if type_code not in known_types:
        raise CommunityError("请选择业态类型")
    unknown = [c for c in data.get("demands") or () if c not in known_types]
    if unknown:
        raise CommunityError("关联的需求不在业态目录中")
    project.title = _clean(data.get("title"), 100, "项目名称", required=True)
    project.type_code = type_code
    project.action = _clean(data.get("action"), 1000, "项目内容")
    project.responsible = _clean(data.get("responsible"), 100, "责任人或责任单位", required=True)
    project.planned_on = data.get("planned_on")


def _project_facts(project: CommunityProject, data: dict | None) -> dict:
    """What the audit log keeps of a project (its demands when they are being set)."""
    facts = {name: getattr(project, name) for name in
             ("title", "type_code", "action", "responsible", "planned_on", "status")}
    if data is not None:
        facts["demands"] = sorted(data.get("demands") or ())
    return facts


def create_project(session: Session, circle_id: int, known_types, data: dict, user_id: int | None,
                   today: date) -> CommunityProject:
    """``data``: title, type_code, demands (codes), action, responsible, planned_on, status."""
    project = CommunityProject(circle_id=circle_id, title="", type_code="", created_by=user_id)
    _fill(project, known_types, data)
    _apply_status(project, data.get("status") or ProjectStatus.planned.value, today)
    session.add(project)
    session.flush()
    _set_links(session, project, data.get("demands") or ())
    record(session, "project.create", summary=f"立项“{project.title}”", target_type="project",
           target_id=project.id, circle_id=circle_id, after=_project_facts(project, data))
    session.commit()
    return project


def update_project(session: Session, circle_id: int, project: CommunityProject, known_types, data: dict,
                   today: date) -> CommunityProject:
    if project.circle_id != circle_id:
        raise CommunityError("项目不属于这个生活圈")
    before = _project_facts(project, None)
    _fill(project, known_types, data)
    _apply_status(project, data.get("status") or project.status, today)
    project.updated_at = utcnow()
    session.add(project)
    _set_links(session, project, data.get("demands") or ())
    record(session, "project.update", summary=f"修改项目“{project.title}”", target_type="project",
           target_id=project.id, circle_id=circle_id, before=before, after=_project_facts(project, None))
    session.commit()
    return project


def add_note(session: Session, circle_id: int, project: CommunityProject, noted_on: date, text: str,
             status: str | None, user_id: int | None) -> ProjectNote:
    """A dated progress note; a status given with it moves the project on (dated by the note)."""
    if project.circle_id != circle_id:
        raise CommunityError("项目不属于这个生活圈")
    note = ProjectNote(project_id=project.id, noted_on=noted_on, text=_clean(text, 1000, "进展情况", required=True),
                       status=status or None, user_id=user_id)
    if status:
        _apply_status(project, status, noted_on)
    project.updated_at = utcnow()
    session.add_all([note, project])
    record(session, "project.note", summary=f"项目“{project.title}”进展：{note.text[:60]}", target_type="project",
           target_id=project.id, circle_id=circle_id,
           after={"noted_on": noted_on, "text": note.text, "status": status or None})
    session.commit()
    return note


def decline_demand(session: Session, circle_id: int, type_code: str, reason: str, user_id: int | None) -> None:
    """Record why the community will not meet a demand (replaces an earlier reason)."""
    reason = _clean(reason, 1000, "不予实施的理由", required=True)
    decision = session.get(DemandDecision, (circle_id, type_code)) or DemandDecision(
        circle_id=circle_id, type_code=type_code, reason=reason)
    before = {"reason": decision.reason} if decision.decided_at else None
    record(session, "demand.decline", summary=f"需求 {type_code} 不予实施", target_type="demand",
           target_id=type_code, circle_id=circle_id, before=before, after={"reason": reason})
    decision.reason = reason
    decision.decided_by = user_id
    decision.decided_at = utcnow()
    session.add(decision)
    session.commit()


def withdraw_decline(session: Session, circle_id: int, type_code: str) -> None:
    decision = session.get(DemandDecision, (circle_id, type_code))
    if decision is not None:
        record(session, "demand.withdraw_decline", summary=f"撤销需求 {type_code} 的不予实施", target_type="demand",
               target_id=type_code, circle_id=circle_id, before={"reason": decision.reason}, after=None)
        session.delete(decision)
        session.commit()


def triage_suggestion(session: Session, circle_id: int, response_id: int, *, type_code: str | None = None,
                      hidden: bool | None = None, user_id: int | None = None, known_types=()) -> SuggestionTriage:
    """Group a suggestion under a demand (``type_code``; "" ungroups) and/or hide or restore it.
    Hiding records who hid it and when; the text itself is never changed or deleted."""
    response = session.get(Response, response_id)
    campaign = session.get(Campaign, response.campaign_id) if response is not None else None
    if campaign is None or campaign.circle_id != circle_id:
        raise CommunityError("这条建议不属于这个生活圈")
    triage = session.get(SuggestionTriage, response_id) or SuggestionTriage(response_id=response_id,
                                                                           circle_id=circle_id)
    before = {"type_code": triage.type_code, "hidden": bool(triage.hidden)}
    if type_code is not None:
        if type_code and type_code not in known_types:
            raise CommunityError("请选择需求清单中的业态")
        triage.type_code = type_code or None
    if hidden is not None and hidden != triage.hidden:
        triage.hidden = hidden
        triage.hidden_by = user_id if hidden else None
        triage.hidden_at = utcnow() if hidden else None
    triage.updated_by = user_id
    triage.updated_at = utcnow()
    session.add(triage)
    record(session, "suggestion.triage", summary=f"整理居民建议 #{response_id}", target_type="suggestion",
           target_id=response_id, circle_id=circle_id, before=before,
           after={"type_code": triage.type_code, "hidden": bool(triage.hidden)})
    session.commit()
    return triage
