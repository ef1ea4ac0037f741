"""Quality facts derived from one response's answers."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from surveyapp.questionnaire import load_questionnaire
from surveyapp.responses.quality import (OUTSIDE_COMMUNITY, detail_items, duration_seconds, is_straightlining,
                                         static_exclusion)

from .helpers import PROJECT_QUESTIONNAIRES


@pytest.fixture(scope="module")
def resident():
    return load_questionnaire(PROJECT_QUESTIONNAIRES / "resident.yaml")


def base_answers(resident, score="4", items=None):
    answers = {"community": "东社区", "age_band": "a30_44", "years_lived": "y3_10", "child_under3": "no",
               "business_overall": "4", "service_overall": "4"}
    details = [q.name for q in detail_items(resident) if q.relevant is None]
    for name in details[: items if items is not None else len(details)]:
        answers[name] = score
    return answers


def test_detail_items_are_the_unscored_likert_items(resident):
    names = {q.name for q in detail_items(resident)}
    assert "business_overall" not in names and "service_overall" not in names
    assert len(names) >= 8


def test_eight_identical_detail_answers_flag_straightlining(resident):
    assert is_straightlining(resident, base_answers(resident, "5", items=8)) is True
    assert is_straightlining(resident, base_answers(resident, "5", items=7)) is False  # too few to tell


def test_one_different_answer_is_not_straightlining(resident):
    answers = base_answers(resident, "5")
    first = detail_items(resident)[0].name
    answers[first] = "4"
    assert is_straightlining(resident, answers) is False


def test_duration_is_whole_seconds_capped_at_a_day():
    start = datetime(2026, 11, 1, 8, 0, 0)
    assert duration_seconds(start, start + timedelta(seconds=171.9)) == 171
    assert duration_seconds(start, start + timedelta(days=3)) == 86400
    assert duration_seconds(None, start) is None
    assert duration_seconds(start, start - timedelta(seconds=5)) == 0  # clock skew never negative


def test_static_exclusions(resident):
    complete = base_answers(resident)
    assert static_exclusion(resident, complete, True) is None
    assert static_exclusion(resident, complete, False) == "incomplete"
    missing = dict(complete)
    del missing["service_overall"]
    assert static_exclusion(resident, missing, True) == "incomplete"
    outside = {**complete, "community": OUTSIDE_COMMUNITY}
    assert static_exclusion(resident, outside, True) == "outside"
