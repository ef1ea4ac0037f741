"""Is a round complete enough to be issued? The rules of 待签发 (ready), as a list of what is
missing, each with where to fix it.

A round is complete when its inventory (有没有) has been saved; every service indicator fed by
the field inspection has all its facts, or is marked 不适用 with a reason; and a resident
campaign is linked for indicators #2/#3 and has closed, or the assessor has confirmed that an
open one may be used.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from ..models import Campaign, Circle, Evaluation, IndicatorEntry
from ..questionnaire.kinds import survey_kind
from .registry import rules_by_hash
from .rules import SATISFACTION_KEYS as FROM_SURVEY
from .scoring import score_indicator


@dataclass(frozen=True)
class Gap:
    """One thing missing before the round can be issued.

    ``page`` is where it is fixed: ``inventory``, ``indicator`` (with ``key``) or ``campaign``
    (the sheet's survey section)."""

    code: str
    message: str
    page: str
    key: str | None = None

    def to_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "page": self.page, "key": self.key}


def gaps(session: Session, evaluation: Evaluation, now: datetime) -> list[Gap]:
    """Everything that keeps ``evaluation`` from being issued (empty: complete)."""
    rules = rules_by_hash(session, evaluation.rules_hash)
    circle = session.get(Circle, evaluation.circle_id)
    found: list[Gap] = []
    if evaluation.inventory_saved_at is None:
        found.append(Gap("inventory", "业态清单（有没有）尚未保存", "inventory"))
    entries = {entry.indicator: entry for entry in session.exec(
        select(IndicatorEntry).where(IndicatorEntry.evaluation_id == evaluation.id))}
    for key in rules.indicator_keys:
        if key in FROM_SURVEY:
            continue
        label = rules.indicator(key).label
        entry = entries.get(key)
        if entry is not None and entry.not_applicable:
            if not entry.note.strip():
                found.append(Gap("reason", f"“{label}”标为不适用，但没有写明理由", "indicator", key))
            continue
        if entry is None or not entry.facts:
            found.append(Gap("facts", f"“{label}”未填写现场检查（或标为不适用并说明理由）", "indicator", key))
            continue
        missing = score_indicator(rules, key, entry.facts, city_tier=circle.city_tier).missing
        if missing:
            labels = {f.name: f.label for f in rules.indicator_fields(key)}
            found.append(Gap("facts", f"“{label}”还有 {len(missing)} 项未填写："
                                      f"{'、'.join(labels.get(name, name) for name in missing)}", "indicator", key))
    found.extend(_campaign_gaps(session, evaluation, now))
    return found


def _campaign_gaps(session: Session, evaluation: Evaluation, now: datetime) -> list[Gap]:
    if evaluation.campaign_id is None:
        return [Gap("campaign", "未关联居民问卷调查（业态满意、服务满意两项指标的来源）", "campaign")]
    campaign = session.get(Campaign, evaluation.campaign_id)
    kind = survey_kind(campaign.kind)
    if not kind.feeds_satisfaction:
        return [Gap("campaign_kind", f"关联的问卷调查 #{campaign.id} 是{kind.label}，不能用于满意度指标；"
                                     "请改为居民问卷调查", "campaign")]
    if campaign.state(now) != "closed" and not evaluation.campaign_open_confirmed:
        return [Gap("campaign_open", f"居民问卷调查 #{campaign.id} 仍在进行：请等它结束，或确认用目前的数据签发",
                    "campaign")]
    return []
