"""How long a questionnaire takes, counted from its items (what the notice tells residents).

Seconds per question a resident is always asked (questions with a `relevant` are follow-ups
most people never see and are not counted): a fixed time to read and answer by type, plus
one second per option read for choice lists (only the options shown before "更多" for a
folded list; an assumed COMMUNITY_OPTIONS for the circle's community list). The likert scale
is the same six options every time, so it costs one fixed time. Rounded up to whole minutes.
"""
from __future__ import annotations

import math

SECONDS_BY_TYPE = {
    "note": 3, "likert5": 5, "select_one": 5, "select_multiple": 8,
    "integer": 8, "decimal": 8, "time": 8, "text": 10, "geopoint": 15,
}
#: A required text is written, not skipped.
REQUIRED_TEXT_SECONDS = 20
SECONDS_PER_OPTION = 1
COMMUNITY_OPTIONS = 3


def counted_questions(questionnaire) -> list:
    """The questions everyone is asked (no `relevant`), notes left out."""
    return [q for q in questionnaire.questions if q.relevant is None and not q.is_note]


def estimated_seconds(questionnaire) -> int:
    total = 0
    for question in questionnaire.questions:
        if question.relevant is not None:
            continue
        seconds = SECONDS_BY_TYPE.get(question.type, 10)
        if question.type == "text" and question.required:
            seconds = REQUIRED_TEXT_SECONDS
        if question.type in ("select_one", "select_multiple"):
            if question.dynamic_choices:
                options = COMMUNITY_OPTIONS
            else:
                options = len(question.folded_choices()[0])
            seconds += SECONDS_PER_OPTION * options
        total += seconds
    return total


def estimated_minutes(questionnaire) -> int:
    """Whole minutes, at least 1."""
    return max(1, math.ceil(estimated_seconds(questionnaire) / 60))
