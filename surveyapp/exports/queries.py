"""Reading a campaign's responses for the labelled export (the database side of dataset.py)."""
from __future__ import annotations

from datetime import timezone
from fractions import Fraction

from sqlmodel import Session, select

from .. import analysis
from ..circles.queries import community_choices
from ..models import Campaign, Circle, Response
from ..models.response import SPEED_RULE_CHANNELS
from reports.rendering import CHINA_TZ
from ..results.summary import AGE_QUESTION
from ..results.tallies import TOO_FAST_FRACTION, load
from .dataset import Dataset, ResponseRecord, build_dataset


def _too_fast(response: Response, cutoff: float | None) -> bool:
    return (cutoff is not None and response.channel in SPEED_RULE_CHANNELS and response.exclusion is None
            and not response.speed_exempt and response.duration_seconds is not None
            and response.duration_seconds < cutoff)


def _weights(circle: Circle, responses, too_fast: dict[int, bool]) -> tuple[dict[str, float], str]:
    """Post-stratification weight per age band of the valid responses (summary's rule)."""
    if not circle.age_structure:
        return {}, "本生活圈没有登记年龄结构，权重为空"
    counts: dict[str, int] = {}
    for response in responses:
        band = response.answers.get(AGE_QUESTION)
        if response.exclusion is None and not too_fast[response.id] and band:
            counts[band] = counts.get(band, 0) + 1
    try:
        weights = analysis.poststratification_weights(counts, circle.age_structure)
    except ValueError as exc:
        return {}, f"无法加权：{exc}"
    return weights.weights, "权重按年龄段人口占比事后分层计算（与统计摘要相同）"


def campaign_dataset(session: Session, campaign: Campaign, questionnaire, *, open_text: bool,
                     too_fast_fraction: Fraction = TOO_FAST_FRACTION) -> Dataset:
    circle = session.get(Circle, campaign.circle_id)
    cutoff = load(session, campaign.id, questionnaire, too_fast_fraction).cutoff_seconds
    responses = session.exec(select(Response).where(Response.campaign_id == campaign.id).order_by(Response.id)).all()
    too_fast = {r.id: _too_fast(r, cutoff) for r in responses}
    weights, weight_note = _weights(circle, responses, too_fast) if questionnaire.kind == "resident" else ({}, "")
    records = []
    for response in responses:
        valid = response.exclusion is None and not too_fast[response.id]
        finished = response.finished_at
        if finished is not None and finished.tzinfo is None:
            finished = finished.replace(tzinfo=timezone.utc)
        records.append(ResponseRecord(
            id=response.id, channel=response.channel,
            finished_on=finished.astimezone(CHINA_TZ).date() if finished else None,
            duration_seconds=response.duration_seconds, answers=response.answers, exclusion=response.exclusion,
            too_fast=too_fast[response.id], straightlining=response.straightlining,
            household_extra=response.household_extra,
            weight=weights.get(response.answers.get(AGE_QUESTION)) if valid else None,
        ))
    title = f"{circle.name} · {questionnaire.title}（问卷调查 #{campaign.id}）"
    notes = [f"问卷 {questionnaire.name} 版本 {questionnaire.version}，内容指纹 {questionnaire.content_hash[:12]}"]
    if weight_note:
        notes.append(weight_note)
    if cutoff is not None:
        notes.append(f"答题时间过短：扫码填写少于 {cutoff:.0f} 秒（中位用时的 {float(too_fast_fraction):.2f}）")
    return build_dataset(title, questionnaire, community_choices(session, campaign.circle_id), records,
                         open_text=open_text, notes=notes)
