"""Group breakdowns: per-group figures, suppression of small groups, chi-square by hand."""
import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveyapp.analysis.breakdowns import crosstab

PROPS = settings(database=None, deadline=None, max_examples=200)
SAT, DK = {"4", "5"}, {"0"}


def by_group(result):
    return {g.group: g for g in result.groups}


def test_chi_square_by_hand():
    # A: 30 satisfied, 10 not; B: 20 satisfied, 20 not. Totals 50 / 30 of 80.
    # expected: A 25 / 15, B 25 / 15
    # chi2 = 25/25 + 25/15 + 25/25 + 25/15 = 2 + 10/3 = 5.3333, df = 1
    # p (1 df) = erfc(sqrt(chi2/2)) = erfc(1.632993) = 0.020921
    res = crosstab({"A": {"5": 30, "2": 10, "0": 3}, "B": {"4": 20, "1": 20}}, SAT, DK)
    assert res.tested and res.df == 1
    assert res.statistic == pytest.approx(16 / 3, rel=1e-12)
    assert res.p_value == pytest.approx(math.erfc(math.sqrt(8 / 3)), rel=1e-9)
    assert not res.low_expected
    a = by_group(res)["A"]
    assert (a.respondents, a.answered, a.satisfied, a.dont_know, a.rate) == (43, 40, 30, 3, 0.75)
    assert not a.suppressed and a.ci_low < 0.75 < a.ci_high


def test_three_groups_df_two():
    # satisfied/not: (10, 10), (20, 0), (15, 5); totals 45 / 15 of 60; each group 20
    # expected per group: 15 / 5
    # chi2 = (25/15 + 25/5) + (25/15 + 25/5) + (0 + 0) = 2 * (1.6667 + 5) = 13.3333, df 2
    # p (2 df) = exp(-chi2/2) = exp(-6.6667) = 0.0012726
    res = crosstab({"g1": {"5": 10, "3": 10}, "g2": {"5": 20}, "g3": {"4": 15, "2": 5}}, SAT, DK)
    assert res.statistic == pytest.approx(40 / 3)
    assert res.df == 2
    assert res.p_value == pytest.approx(math.exp(-20 / 3), rel=1e-9)


def test_small_group_suppressed_with_complement():
    groups = {"18-39": {"5": 3, "3": 1}, "40-59": {"5": 50, "3": 10}, "60+": {"5": 80, "3": 40},
              "70+": {"5": 30, "2": 6}}
    res = crosstab(groups, SAT, DK)
    g = by_group(res)
    assert g["18-39"].suppressed and g["18-39"].suppression_reason == "small_group"
    # only one small group: the next smallest shown group (70+, 36 respondents) is suppressed too
    assert g["70+"].suppressed and g["70+"].suppression_reason == "complementary"
    for name in ("18-39", "70+"):
        f = g[name]
        assert (f.respondents, f.answered, f.satisfied, f.dont_know, f.rate, f.ci_low, f.ci_high) == (None,) * 7
    # the test runs on the two shown groups only: (50, 10) and (80, 40); totals 130 / 50 of 180
    # expected 40-59: 60*130/180 = 43.333, 16.667; 60+: 86.667, 33.333
    # chi2 = 6.667^2 * (1/43.333 + 1/16.667 + 1/86.667 + 1/33.333) = 44.444 * 0.1246154 = 5.5385
    assert res.df == 1
    assert res.statistic == pytest.approx(5.538462, abs=1e-5)
    no_comp = by_group(crosstab(groups, SAT, DK, complementary=False))
    assert not no_comp["70+"].suppressed


def test_suppression_counts_answered_not_dont_know():
    # 4 answered + 20 don't know: the rate would rest on 4 people -> suppressed
    res = crosstab({"x": {"5": 4, "0": 20}, "y": {"5": 5}, "z": {"5": 6, "1": 1}}, SAT, DK, complementary=False)
    g = by_group(res)
    assert g["x"].suppressed and not g["y"].suppressed and g["y"].rate == 1.0


def test_two_small_groups_need_no_complement():
    res = crosstab({"a": {"5": 2}, "b": {"5": 1, "1": 1}, "c": {"5": 9, "1": 1}, "d": {"5": 5, "1": 5}}, SAT, DK)
    g = by_group(res)
    assert g["a"].suppressed and g["b"].suppressed
    assert not g["c"].suppressed and not g["d"].suppressed


def test_untestable_tables():
    one = crosstab({"a": {"5": 10}, "b": {"5": 1}}, SAT, DK)
    assert not one.tested and one.statistic is None and one.reason
    flat = crosstab({"a": {"5": 10}, "b": {"5": 20}}, SAT, DK)
    assert not flat.tested and flat.reason


def test_low_expected_warning():
    # (9, 1) and (5, 5): expected unsatisfied 3 and 3 < 5
    res = crosstab({"a": {"5": 9, "1": 1}, "b": {"5": 5, "1": 5}}, SAT, DK)
    assert res.tested and res.low_expected


def test_min_group_parameter_and_json():
    res = crosstab({"a": {"5": 9, "1": 1}, "b": {"5": 5, "1": 5}}, SAT, DK, min_group=11)
    assert all(g.suppressed for g in res.groups) and not res.tested
    d = res.to_dict()
    assert d["groups"][0]["rate"] is None and d["groups"][0]["suppressed"] is True


groups_strategy = st.dictionaries(st.text("abcdef", min_size=1, max_size=3),
                                  st.dictionaries(st.sampled_from(["0", "1", "3", "4", "5"]), st.integers(0, 60)),
                                  max_size=6)


@PROPS
@given(groups=groups_strategy, seed=st.integers(0, 2**32))
def test_reordering_groups_changes_nothing(groups, seed):
    items = list(groups.items())
    random.Random(seed).shuffle(items)
    a, b = crosstab(groups, SAT, DK), crosstab(dict(items), SAT, DK)
    assert by_group(a) == by_group(b)
    assert (a.tested, a.df, a.low_expected) == (b.tested, b.df, b.low_expected)
    if a.tested:
        assert a.statistic == pytest.approx(b.statistic) and a.p_value == pytest.approx(b.p_value)


@PROPS
@given(groups=groups_strategy)
def test_never_a_figure_for_a_group_under_five(groups):
    for g in crosstab(groups, SAT, DK).groups:
        if not g.suppressed:
            assert g.answered >= 5
            assert 0.0 <= g.ci_low <= g.rate <= g.ci_high <= 1.0
        else:
            assert g.rate is None and g.answered is None and g.respondents is None
