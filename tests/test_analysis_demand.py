"""Demand ranking: shares with Wilson intervals, ties, suppression."""
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveyapp.analysis.demand import demand_ranking

PROPS = settings(database=None, deadline=None, max_examples=200)
LABELS = {"market": "菜市场", "breakfast": "早餐店", "pharmacy": "药店", "childcare": "幼儿托管"}


def test_ranking_by_hand():
    r = demand_ranking({"market": 30, "breakfast": 50, "pharmacy": 30}, 100, LABELS)
    assert [(i.code, i.rank, i.count) for i in r.items] == [
        ("breakfast", 1, 50), ("market", 2, 30), ("pharmacy", 2, 30), ("childcare", 4, 0)]
    top = r.items[0]
    assert top.label == "早餐店" and top.share == 0.5
    # Wilson 50/100: 0.5 -/+ 0.0961685
    assert top.ci_low == pytest.approx(0.4038315, abs=1e-6) and top.ci_high == pytest.approx(0.5961685, abs=1e-6)
    # 30/100: z^2/n = 0.0384146; centre = (0.3 + 0.0192073)/1.0384146 = 0.3073987
    # half = 1.887458 * sqrt(0.0021 + 0.0000960365) = 1.887458 * 0.0468623 = 0.0884498 -> (0.218949, 0.395849)
    assert r.items[1].ci_low == pytest.approx(0.218949, abs=1e-6)
    assert r.items[1].ci_high == pytest.approx(0.395849, abs=1e-6)
    assert r.items[3].share == 0.0 and r.items[3].ci_low == 0.0


def test_without_labels_uses_codes():
    r = demand_ranking({"b": 3, "a": 3}, 10)
    assert [(i.code, i.label, i.rank) for i in r.items] == [("a", "a", 1), ("b", "b", 1)]


def test_small_group_suppressed():
    r = demand_ranking({"market": 2}, 4, LABELS)
    assert r.suppressed and r.items == ()
    assert not demand_ranking({"market": 2}, 5).suppressed


def test_errors():
    with pytest.raises(ValueError):
        demand_ranking({"market": 11}, 10)
    with pytest.raises(ValueError):
        demand_ranking({"market": -1}, 10)


@PROPS
@given(counts=st.dictionaries(st.text("abcxyz", min_size=1, max_size=3), st.integers(0, 50)),
       extra=st.integers(0, 50), seed=st.integers(0, 2**32))
def test_order_and_shuffle(counts, extra, seed):
    n = max(counts.values(), default=0) + extra + 5
    items = list(counts.items())
    random.Random(seed).shuffle(items)
    a, b = demand_ranking(counts, n), demand_ranking(dict(items), n)
    assert a == b
    shares = [i.share for i in a.items]
    assert shares == sorted(shares, reverse=True)
    for i in a.items:
        assert 0.0 <= i.ci_low <= i.share <= i.ci_high <= 1.0
