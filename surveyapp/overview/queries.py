"""Reads of the city overview: every visible circle's survey, sample and latest round in a
fixed number of queries, whatever the number of circles.

A city has 20–60 circles, each with hundreds to tens of thousands of responses; the page is
the assessor's home, opened many times a day. So nothing here reads responses: the survey
figures come from the answer tallies of all campaigns at once
(:func:`surveyapp.results.tallies.load_many`) through the same :func:`light_summary` the
campaign page uses, and the result of an issued round from its frozen document. About eight
queries in all.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction

from sqlmodel import Session, select

from ..circles.queries import visible_circles
from ..evaluation import states
from ..models import Campaign, Evaluation, FrozenEvaluation
from ..questionnaire.kinds import satisfaction_kinds
from ..results.summary import light_summaries
from ..results.tallies import TOO_FAST_FRACTION

CITY_TIERS = {1: "一线城市", 2: "二线城市", 3: "其他城市"}
SURVEY_STATES = {"open": "进行中", "not_yet_open": "未开始", "closed": "已结束", "none": "未开展"}
INDICATORS = ("business_satisfaction", "service_satisfaction")


@dataclass
class Rate:
    """One satisfaction indicator of a circle's survey."""

    rate: float | None
    points: float | None
    max_points: float | None
    assessable: bool = True


@dataclass
class CircleRow:
    circle_id: int
    name: str
    population: int
    city_tier: int
    campaign_id: int | None = None
    #: open / not_yet_open / closed / none (no resident survey yet)
    survey_state: str = "none"
    closes_at: datetime | None = None
    days_left: int | None = None
    valid: int | None = None
    required: int | None = None
    met: bool | None = None
    shortfall: int | None = None
    rates: dict[str, Rate] = field(default_factory=dict)
    evaluation_id: int | None = None
    round: int | None = None
    round_state: str | None = None
    final_type: str | None = None
    stars: int | None = None
    grade: str | None = None
    report_number: str | None = None
    #: Sentences saying what needs doing, most urgent first.
    attention: list[str] = field(default_factory=list)
    #: Smaller is more urgent (None: nothing to do).
    urgency: int | None = None
    #: The survey's light summary (contract part), for the 汇总表 pages.
    summary: dict | None = None
    questionnaire_title: str | None = None

    @property
    def survey_label(self) -> str:
        return SURVEY_STATES[self.survey_state]

    @property
    def round_label(self) -> str:
        return states.label(self.round_state) if self.round_state else "未开始评价"

    @property
    def tier_label(self) -> str:
        return CITY_TIERS.get(self.city_tier, str(self.city_tier))

    @property
    def progress(self) -> float:
        """valid / required in [0, 1] (the small bar)."""
        if not self.required:
            return 0.0
        return min(1.0, (self.valid or 0) / self.required)


def _current_campaigns(campaigns: list[Campaign], now: datetime) -> dict[int, Campaign]:
    """Each circle's resident survey shown in the overview: the newest one running (or about
    to), else the newest one that has ended."""
    chosen: dict[int, Campaign] = {}
    rank = {"open": 2, "not_yet_open": 1, "closed": 0}
    for campaign in campaigns:
        best = chosen.get(campaign.circle_id)
        key = (rank[campaign.state(now)], campaign.opens_at, campaign.id)
        if best is None or key > (rank[best.state(now)], best.opens_at, best.id):
            chosen[campaign.circle_id] = campaign
    return chosen


def _latest_rounds(evaluations: list[Evaluation]) -> dict[int, Evaluation]:
    """Each circle's latest round, as it stands: its issued revision if any, else its newest."""
    by_round: dict[tuple[int, int], list[Evaluation]] = {}
    for evaluation in evaluations:
        by_round.setdefault((evaluation.circle_id, evaluation.round), []).append(evaluation)
    latest: dict[int, Evaluation] = {}
    for (circle_id, number), revisions in sorted(by_round.items()):
        revisions.sort(key=lambda e: e.revision)
        issued = [e for e in revisions if e.state == states.ISSUED]
        latest[circle_id] = issued[-1] if issued else revisions[-1]
    return latest


def _attention(row: CircleRow) -> None:
    items: list[tuple[int, str]] = []
    if row.survey_state == "open" and row.met is False:
        if row.days_left is not None:
            items.append((row.days_left, f"样本还差 {row.shortfall} 份，剩 {row.days_left} 天"))
        else:
            items.append((60, f"样本还差 {row.shortfall} 份（未设截止日期）"))
    elif row.survey_state == "closed" and row.met is False:
        items.append((0, f"调查已结束，样本还差 {row.shortfall} 份"))
    elif row.survey_state == "none":
        items.append((90, "还没有居民满意度调查"))
    if row.round_state == states.DRAFT:
        items.append((30, f"第 {row.round} 轮评价是草稿"))
    elif row.round_state == states.READY:
        items.append((20, f"第 {row.round} 轮评价待签发，报告未签发"))
    elif row.round_state is None and row.survey_state == "closed" and row.met:
        items.append((40, "调查已达标结束，还没有开始评价"))
    items.sort()
    row.attention = [text for _, text in items]
    row.urgency = items[0][0] if items else None


def city_overview(session: Session, user, now: datetime, *, sample_rate: Fraction,
                  too_fast_fraction: Fraction = TOO_FAST_FRACTION) -> list[CircleRow]:
    """One row per circle ``user`` may see, in registration order (the page sorts)."""
    circles = visible_circles(session, user)
    if not circles:
        return []
    ids = [circle.id for circle in circles]
    campaigns = session.exec(select(Campaign).where(Campaign.circle_id.in_(ids),
                                                    Campaign.kind.in_(satisfaction_kinds()))).all()
    current = _current_campaigns(list(campaigns), now)
    summaries = light_summaries(session, current.values(), sample_rate=sample_rate,
                                too_fast_fraction=too_fast_fraction)
    evaluations = session.exec(select(Evaluation).where(Evaluation.circle_id.in_(ids))).all()
    latest = _latest_rounds(list(evaluations))
    issued_ids = [e.id for e in latest.values() if e.state == states.ISSUED]
    documents = {}
    if issued_ids:
        documents = dict(session.exec(select(FrozenEvaluation.evaluation_id, FrozenEvaluation.document)
                                      .where(FrozenEvaluation.evaluation_id.in_(issued_ids))).all())

    rows = []
    for circle in circles:
        row = CircleRow(circle.id, circle.name, circle.population, circle.city_tier)
        campaign = current.get(circle.id)
        if campaign is not None and campaign.id in summaries:
            summary = summaries[campaign.id]
            summary["campaign"].update(
                circle_name=circle.name, opens_at=campaign.opens_at.isoformat(),
                closes_at=campaign.closes_at.isoformat() if campaign.closes_at else None)
            row.summary, row.questionnaire_title = summary, summary["campaign"]["title"]
            sample = summary["sample"]
            row.campaign_id, row.survey_state, row.closes_at = campaign.id, campaign.state(now), campaign.closes_at
            if campaign.closes_at is not None and row.survey_state == "open":
                row.days_left = max(0, math.ceil((campaign.closes_at - now).total_seconds() / 86400))
            row.valid, row.required, row.met, row.shortfall = (sample["valid"], sample["required"], sample["met"],
                                                               sample["shortfall"])
            for key in INDICATORS:
                item = summary["indicators"].get(key)
                if item is not None:
                    row.rates[key] = Rate(item["rate"], item["points"], item["max_points"],
                                          item.get("assessable", True))
        evaluation = latest.get(circle.id)
        if evaluation is not None:
            row.evaluation_id, row.round, row.round_state = evaluation.id, evaluation.round, evaluation.state
            sheet = (documents.get(evaluation.id) or {}).get("sheet") or {}
            outcome = sheet.get("outcome") or {}
            if outcome:
                row.final_type = (outcome.get("final_type") or {}).get("label") or "未达到类型"
                row.stars = outcome.get("stars")
                row.grade = (outcome.get("grade") or {}).get("label")
            row.report_number = (sheet.get("evaluation") or {}).get("report_number")
        _attention(row)
        rows.append(row)
    return rows


# --- sorting and filtering (the page's query string) ----------------------------------------

def _rate_of(key):
    return lambda row: row.rates[key].rate if key in row.rates and row.rates[key].rate is not None else -1.0


SORT_KEYS = {
    "attention": lambda row: (row.urgency is None, row.urgency if row.urgency is not None else 0, row.name),
    "name": lambda row: row.name,
    "population": lambda row: row.population,
    "survey": lambda row: (list(SURVEY_STATES).index(row.survey_state), row.days_left or 0),
    "sample": lambda row: row.progress,
    "valid": lambda row: row.valid or 0,
    "business": _rate_of("business_satisfaction"),
    "service": _rate_of("service_satisfaction"),
    "round": lambda row: (row.round_state or "", row.round or 0),
    "stars": lambda row: row.stars if row.stars is not None else -1,
}
SORT_LABELS = {"attention": "需要处理的在前", "name": "名称", "population": "服务人口", "survey": "调查状态",
               "sample": "样本完成度", "valid": "有效问卷", "business": "业态满意率", "service": "服务满意率",
               "round": "评价状态", "stars": "星级"}
ROUND_FILTERS = {"": "全部", "none": "未开始评价", **{code: s.label for code, s in states.STATES.items()}}
SURVEY_FILTERS = {"": "全部", **SURVEY_STATES}


@dataclass(frozen=True)
class View:
    """What the page shows: a sort key, its direction and the filters (all from the URL)."""

    sort: str = "attention"
    descending: bool = False
    text: str = ""
    survey: str = ""
    round: str = ""
    attention_only: bool = False

    @classmethod
    def from_args(cls, args) -> "View":
        sort = args.get("sort", "attention")
        return cls(sort=sort if sort in SORT_KEYS else "attention", descending=args.get("order") == "desc",
                   text=(args.get("q") or "").strip()[:100],
                   survey=args.get("survey", "") if args.get("survey", "") in SURVEY_FILTERS else "",
                   round=args.get("round", "") if args.get("round", "") in ROUND_FILTERS else "",
                   attention_only=args.get("attention") == "1")

    def apply(self, rows: list[CircleRow]) -> list[CircleRow]:
        chosen = [row for row in rows
                  if (not self.text or self.text in row.name)
                  and (not self.survey or row.survey_state == self.survey)
                  and (not self.round or (row.round_state or "none") == self.round)
                  and (not self.attention_only or row.attention)]
        return sorted(chosen, key=SORT_KEYS[self.sort], reverse=self.descending)

    def args(self, **changes) -> dict:
        """Query-string arguments of this view with ``changes`` (for links)."""
        values = {"sort": self.sort, "order": "desc" if self.descending else "asc", "q": self.text,
                  "survey": self.survey, "round": self.round, "attention": "1" if self.attention_only else ""}
        values.update(changes)
        return {key: value for key, value in values.items() if value not in ("", None)}
