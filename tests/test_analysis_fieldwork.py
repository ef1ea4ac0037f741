"""Per-interviewer fieldwork figures, against hand-computed values."""
from __future__ import annotations

from surveyapp.analysis.fieldwork import FieldworkRecord, fieldwork_rows


def record(group, seconds, flat=False, likert=10, dont_know=0):
    return FieldworkRecord(group, seconds, flat, likert, dont_know)


def test_figures_per_group_in_order_of_first_appearance():
    records = [record("王", 200, dont_know=2), record("李", 100), record("王", 300), record("王", 100, flat=True),
               record("王", None, likert=0), record("王", 400, dont_know=8), record("李", 50)]
    wang, li = fieldwork_rows(records)
    assert (wang.group, wang.responses, wang.suppressed) == ("王", 5, False)
    assert wang.median_seconds == 250.0  # median of 100, 200, 300, 400 (one unknown)
    assert wang.straightlining_share == 1 / 5
    assert wang.dont_know_share == 10 / 40  # 2 + 8 don't-know of 4 × 10 likert answers
    assert (li.responses, li.suppressed, li.median_seconds, li.dont_know_share) == (2, True, None, None)


def test_exactly_five_is_shown_four_is_not():
    five = fieldwork_rows([record("a", 60)] * 5)[0]
    four = fieldwork_rows([record("a", 60)] * 4)[0]
    assert not five.suppressed and five.median_seconds == 60.0 and five.straightlining_share == 0.0
    assert four.suppressed and four.to_dict()["straightlining_share"] is None


def test_no_likert_answer_and_no_duration_give_no_figure():
    [row] = fieldwork_rows([record("a", None, likert=0)] * 5)
    assert row.median_seconds is None and row.dont_know_share is None and row.straightlining_share == 0.0
    assert fieldwork_rows([]) == []
