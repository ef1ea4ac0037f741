"""Reading a campaign's answer tallies, with the completion-time rule applied."""
from __future__ import annotations

from collections import Counter, defaultdict
from fractions import Fraction

from sqlalchemy import and_, func, or_, true
from sqlmodel import Session, select

from ..models.response import SPEED_RULE_CHANNELS
from ..models import AnswerTally, Response
from ..responses import tallies as writes
from ..responses.tallies import ANSWERED_CODE, EXCLUDED_KEY, EXEMPT, FLAG_KEY, HOUSEHOLD_EXTRA, RESPONSE_KEY

#: Default: an online response under a third of the median completion time is too fast.
TOO_FAST_FRACTION = Fraction(1, 3)


def median(histogram: dict[int, int]) -> float | None:
    """Median of values given as {value: count}; the mean of the two middle values when
    the count is even."""
    total = sum(histogram.values())
    if total == 0:
        return None
    lower_rank, upper_rank = (total - 1) // 2, total // 2
    lower = None
    seen = 0
    for value, n in sorted(histogram.items()):
        if lower is None and seen + n > lower_rank:
            lower = value
        if seen + n > upper_rank:
            return (lower + value) / 2
        seen += n
    raise AssertionError("unreachable: ranks are below the total")


class CampaignTallies:
    """The valid-response counts of one campaign, too-fast responses taken out."""

    def __init__(self, rows, too_fast_responses=(), questionnaire=None, cutoff_seconds=None, median_seconds=None):
        """``rows``: the campaign's tally rows. ``too_fast_responses``: too-fast responses
        whose answers were counted without their duration (only when the cut-off is above
        FAST_HORIZON); their answers are subtracted."""
        self.cutoff_seconds = cutoff_seconds
        self.median_seconds = median_seconds
        self.too_fast = 0
        index: dict[str, Counter] = defaultdict(Counter)
        for question, code, group, value, duration, n in rows:
            if self._too_fast(duration):
                if question == RESPONSE_KEY:
                    self.too_fast += n
                continue
            index[question][(code, group, value)] += n
        if too_fast_responses:
            for (question, code, group, value, duration), n in writes.count(questionnaire, too_fast_responses, -1).items():
                if question != RESPONSE_KEY and not self._too_fast(duration):
                    index[question][(code, group, value)] += n
        self._index = index

    def _too_fast(self, duration: int) -> bool:
        return duration != EXEMPT and self.cutoff_seconds is not None and duration < self.cutoff_seconds

    def counts(self, question: str) -> dict[str, int]:
        """Valid responses per answer code of ``question``."""
        return {code: n for (code, group, _v), n in self._index.get(question, {}).items()
                if not group and code != ANSWERED_CODE and n}

    def answered(self, question: str) -> int:
        """Valid respondents who answered a multi-select question at all."""
        return self._index.get(question, Counter())[(ANSWERED_CODE, "", "")]

    def grouped(self, question: str, group_question: str) -> dict[str, dict[str, int]]:
        """Valid responses per group value, then per answer code."""
        result: dict[str, dict[str, int]] = defaultdict(dict)
        for (code, group, value), n in self._index.get(question, {}).items():
            if group == group_question and n:
                result[value][code] = n
        return dict(result)

    @property
    def valid(self) -> int:
        return sum(self.counts(RESPONSE_KEY).values())

    @property
    def excluded(self) -> dict[str, int]:
        reasons = dict(self.counts(EXCLUDED_KEY))
        if self.too_fast:
            reasons["too_fast"] = self.too_fast
        return dict(sorted(reasons.items()))

    @property
    def flagged_straightlining(self) -> int:
        return self.counts(FLAG_KEY).get("straightlining", 0)

    @property
    def household_extra(self) -> int:
        """Valid responses given from a device that had already answered."""
        return self.counts(FLAG_KEY).get(HOUSEHOLD_EXTRA, 0)


def load(session: Session, campaign_id: int, questionnaire,
         too_fast_fraction: Fraction = TOO_FAST_FRACTION) -> CampaignTallies:
    """Two queries: the duration histogram (for the median and the cut-off), then the
    answer counts summed in SQL over the durations that are not too fast."""
    histogram_rows = session.exec(
        select(AnswerTally.duration, AnswerTally.n)
        .where(AnswerTally.campaign_id == campaign_id, AnswerTally.question == RESPONSE_KEY, AnswerTally.n != 0)
    ).all()
    durations: Counter = Counter()
    for duration, n in histogram_rows:
        if duration != EXEMPT:
            durations[duration] += n
    middle = median(durations)
    cutoff = float(Fraction(middle) * Fraction(too_fast_fraction)) if middle is not None else None

    kept = AnswerTally.duration < 0
    if cutoff is not None:
        kept = or_(kept, AnswerTally.duration >= cutoff)
    else:
        kept = true()
    answer_rows = session.exec(
        select(AnswerTally.question, AnswerTally.code, AnswerTally.group_question, AnswerTally.group_value,
               func.sum(AnswerTally.n))
        .where(AnswerTally.campaign_id == campaign_id, AnswerTally.question != RESPONSE_KEY, kept)
        .group_by(AnswerTally.question, AnswerTally.code, AnswerTally.group_question, AnswerTally.group_value)
    ).all()
    rows = [(RESPONSE_KEY, "", "", "", duration, n) for duration, n in histogram_rows]
    rows.extend((q, c, g, v, EXEMPT, int(n)) for q, c, g, v, n in answer_rows)

    fast = []
    if cutoff is not None and cutoff > writes.FAST_HORIZON:
        # Rare (median over six minutes): answers of responses between the horizon and the
        # cut-off were counted without their duration; read those rows to subtract them.
        fast = session.exec(select(Response).where(
            Response.campaign_id == campaign_id, Response.channel.in_(SPEED_RULE_CHANNELS), Response.exclusion.is_(None),
            Response.speed_exempt.is_(False), Response.duration_seconds >= writes.FAST_HORIZON,
            Response.duration_seconds < cutoff,
        )).all()
    return CampaignTallies(rows, fast, questionnaire, cutoff, middle)


def load_many(session: Session, campaigns: dict[int, object], questions: dict[int, tuple[str, ...]],
              too_fast_fraction: Fraction = TOO_FAST_FRACTION) -> dict[int, CampaignTallies]:
    """The tallies of many campaigns in two queries (the city overview), limited to the
    ungrouped counts of ``questions[campaign_id]`` plus exclusions and flags: enough for the
    sample check and the scored indicators, the same figures :func:`load` gives.

    ``campaigns`` maps id to the campaign's questionnaire (used only in the rare case where
    answers must be subtracted row by row, as in :func:`load`)."""
    ids = sorted(campaigns)
    if not ids:
        return {}
    histograms: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for campaign_id, duration, n in session.exec(
            select(AnswerTally.campaign_id, AnswerTally.duration, AnswerTally.n)
            .where(AnswerTally.campaign_id.in_(ids), AnswerTally.question == RESPONSE_KEY, AnswerTally.n != 0)):
        histograms[campaign_id].append((duration, n))
    cutoffs: dict[int, tuple[float | None, float | None]] = {}
    for campaign_id in ids:
        durations: Counter = Counter()
        for duration, n in histograms[campaign_id]:
            if duration != EXEMPT:
                durations[duration] += n
        middle = median(durations)
        cutoffs[campaign_id] = (middle, float(Fraction(middle) * Fraction(too_fast_fraction))
                                if middle is not None else None)
    uncut = [c for c in ids if cutoffs[c][1] is None]
    kept = [AnswerTally.campaign_id.in_(uncut)] if uncut else []
    kept.extend(and_(AnswerTally.campaign_id == c, or_(AnswerTally.duration < 0, AnswerTally.duration >= cutoffs[c][1]))
                for c in ids if cutoffs[c][1] is not None)
    wanted = sorted({name for names in questions.values() for name in names} | {EXCLUDED_KEY, FLAG_KEY})
    rows: dict[int, list] = defaultdict(list)
    for campaign_id, question, code, total in session.exec(
            select(AnswerTally.campaign_id, AnswerTally.question, AnswerTally.code, func.sum(AnswerTally.n))
            .where(AnswerTally.campaign_id.in_(ids), AnswerTally.question.in_(wanted),
                   AnswerTally.group_question == "", or_(*kept))
            .group_by(AnswerTally.campaign_id, AnswerTally.question, AnswerTally.code)):
        rows[campaign_id].append((question, code, "", "", EXEMPT, int(total)))
    result = {}
    for campaign_id in ids:
        middle, cutoff = cutoffs[campaign_id]
        if cutoff is not None and cutoff > writes.FAST_HORIZON:
            # As rare as in load(): read this campaign the long way.
            result[campaign_id] = load(session, campaign_id, campaigns[campaign_id], too_fast_fraction)
            continue
        own = [(RESPONSE_KEY, "", "", "", duration, n) for duration, n in histograms[campaign_id]]
        result[campaign_id] = CampaignTallies(own + rows[campaign_id], (), None, cutoff, middle)
    return result
