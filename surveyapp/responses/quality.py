"""Quality facts derived from one response's answers at write time (pure functions).

The rules (DOMAIN.md, issue "response quality"): a response is excluded when it is
incomplete, when the resident does not live in the circle, when it duplicates another
(same device online; same serial number on paper), or when it was filled in too fast
(online only; decided at read time against the campaign's median). Straight-lining is
only flagged here; the assessor confirms it.
"""
from __future__ import annotations

from datetime import datetime

#: The choice added after a circle's communities: "I do not live in any of these".
OUTSIDE_COMMUNITY = "不住在以上社区"
#: The question whose answer says where the respondent lives.
COMMUNITY_QUESTION = "community"
#: The indicators scored from overall items; every other likert item is a detail item.
SCORED_INDICATORS = ("business_satisfaction", "service_satisfaction")
#: At least this many detail items, all given the same answer, flag straight-lining.
STRAIGHTLINE_MIN_ITEMS = 8
#: Durations are counted in whole seconds up to a day; longer is "a day".
MAX_DURATION = 86400


def detail_items(questionnaire) -> list:
    return [q for q in questionnaire.questions
            if q.type == "likert5" and (q.indicator or "") not in SCORED_INDICATORS]


def is_straightlining(questionnaire, answers: dict, min_items: int = STRAIGHTLINE_MIN_ITEMS) -> bool:
    given = [answers[q.name] for q in detail_items(questionnaire) if answers.get(q.name) not in (None, "")]
    return len(given) >= min_items and len(set(given)) == 1


def duration_seconds(started_at: datetime | None, finished_at: datetime | None) -> int | None:
    if started_at is None or finished_at is None:
        return None
    seconds = int((finished_at - started_at).total_seconds())
    return max(0, min(seconds, MAX_DURATION))


def missing_required(questionnaire, answers: dict) -> list[str]:
    """Required questions that are shown for these answers but not answered."""
    from ..questionnaire import visible_questions

    return [q.name for q in visible_questions(questionnaire, answers)
            if q.required and answers.get(q.name) in (None, "", [])]


def static_exclusion(questionnaire, answers: dict, complete: bool) -> str | None:
    """The stored exclusion reason known from the answers alone (None: counts)."""
    if not complete or missing_required(questionnaire, answers):
        return "incomplete"
    if answers.get(COMMUNITY_QUESTION) == OUTSIDE_COMMUNITY:
        return "outside"
    return None
