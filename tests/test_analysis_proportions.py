"""Wilson intervals, effective sizes and Kish's n, checked against published and hand values."""
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from surveyapp.analysis.proportions import (effective_size, fpc_effective_size, kish_effective_size,
                                            wilson_from_rate, wilson_interval)

PROPS = settings(database=None, deadline=None, max_examples=200)


@pytest.mark.parametrize("s, n, low, high", [
    # Newcombe (1998), Stat. Med. 17:857, Table I, method 3 (Wilson score, no continuity correction)
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0, 0.1611),
])
def test_wilson_published_cases(s, n, low, high):
    lo, hi = wilson_interval(s, n)
    assert round(lo, 4) == low
    assert round(hi, 4) == high


def test_wilson_by_hand_50_of_100():
    # z = 1.959964, z^2 = 3.841459, z^2/n = 0.03841459, denom = 1.03841459
    # centre = (0.5 + 0.01920729) / 1.03841459 = 0.5
    # half = 1.959964/1.03841459 * sqrt(0.25/100 + 3.841459/40000)
    #      = 1.887458 * sqrt(0.0025960365) = 1.887458 * 0.0509513 = 0.0961685
    lo, hi = wilson_interval(50, 100)
    assert lo == pytest.approx(0.5 - 0.0961685, abs=1e-6)
    assert hi == pytest.approx(0.5 + 0.0961685, abs=1e-6)


def test_wilson_zero_and_all_pinned_to_bounds():
    assert wilson_interval(0, 100)[0] == 0.0
    assert wilson_interval(100, 100)[1] == 1.0


def test_wilson_fractional_n_agrees_with_statsmodels():
    # statsmodels' Wilson accepts a fractional nobs: a cross-check, not the oracle.
    lo, hi = wilson_interval(0.9 * 618.5567, 618.5567)
    ref = proportion_confint(0.9 * 618.5567, 618.5567, method="wilson")
    assert (lo, hi) == pytest.approx(ref, abs=1e-12)


def test_wilson_other_confidence():
    # 90 %: z = 1.644854, z^2 = 2.705543; 50 of 100: denom = 1.02705543,
    # half = 1.644854/1.02705543 * sqrt(0.0025 + 2.705543/40000) = 1.601524 * sqrt(0.0025676386)
    #      = 1.601524 * 0.0506719 = 0.0811522
    lo, hi = wilson_interval(50, 100, confidence=0.90)
    assert hi - 0.5 == pytest.approx(0.0811522, abs=1e-6)


def test_census_collapses_interval():
    assert wilson_from_rate(0.9, math.inf) == (0.9, 0.9)


def test_wilson_rejects_bad_input():
    with pytest.raises(ValueError):
        wilson_interval(1, 0)
    with pytest.raises(ValueError):
        wilson_interval(5, 4)
    with pytest.raises(ValueError):
        wilson_interval(-1, 4)
    with pytest.raises(ValueError):
        wilson_from_rate(1.2, 10)
    with pytest.raises(ValueError):
        wilson_interval(1, 10, confidence=1.0)


def test_effective_size_fpc():
    # 600 / (1 - 600/20000) = 600 / 0.97 = 618.556701...
    assert effective_size(600, 20000) == pytest.approx(618.5567010, abs=1e-6)
    # 150 / (1 - 150/5000) = 150 / 0.97 = 154.639175...
    assert effective_size(150, 5000) == pytest.approx(154.6391753, abs=1e-6)
    assert effective_size(600, 600) == math.inf
    assert effective_size(700, 600) == math.inf
    assert effective_size(600, None) == 600


def test_fpc_on_kish_uses_actual_n():
    # Kish n_eff 266.667 from n = 300 in N = 20000: 266.667 / (1 - 300/20000) = 266.667 / 0.985 = 270.728
    assert fpc_effective_size(800 / 3, 300, 20000) == pytest.approx(270.7276, abs=1e-3)


def test_kish_by_hand():
    # w = (1, 1, 2, 2): (1+1+2+2)^2 / (1+1+4+4) = 36 / 10 = 3.6
    assert kish_effective_size([1, 1, 2, 2]) == pytest.approx(3.6)
    # pattern form: weight 1 x2, weight 2 x2 -> same 3.6
    assert kish_effective_size([1, 2], [2, 2]) == pytest.approx(3.6)
    assert kish_effective_size([0, 0]) == 0.0
    with pytest.raises(ValueError):
        kish_effective_size([1, -1])


@PROPS
@given(w=st.floats(min_value=1e-3, max_value=1e3), counts=st.lists(st.integers(0, 1000), min_size=1, max_size=8))
def test_kish_equal_weights_is_n_exactly(w, counts):
    n = sum(counts)
    assert kish_effective_size([w] * len(counts), counts) == (float(n) if n else 0.0)


@PROPS
@given(n=st.integers(1, 5000), data=st.data(),
       confidence=st.sampled_from([0.80, 0.90, 0.95, 0.99]))
def test_wilson_contains_rate_and_stays_in_unit_interval(n, data, confidence):
    s = data.draw(st.integers(0, n))
    lo, hi = wilson_interval(s, n, confidence)
    assert 0.0 <= lo <= s / n <= hi <= 1.0


@PROPS
@given(p=st.floats(0, 1), n=st.floats(0.5, 1e7))
def test_wilson_fractional_n_contains_rate(p, n):
    lo, hi = wilson_from_rate(p, n)
    assert 0.0 <= lo <= p <= hi <= 1.0


@PROPS
@given(n=st.integers(2, 3000), data=st.data())
def test_wilson_bounds_monotone_in_successes(n, data):
    s = data.draw(st.integers(0, n - 1))
    lo1, hi1 = wilson_interval(s, n)
    lo2, hi2 = wilson_interval(s + 1, n)
    assert lo2 >= lo1 and hi2 >= hi1


@PROPS
@given(n=st.integers(1, 1000), extra=st.integers(1, 100000))
def test_fpc_only_narrows(n, extra):
    # a finite population can only add information
    assert effective_size(n, n + extra) >= n
