"""The 3 % rule, the advisory sample size and the community coverage test."""
import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveyapp.analysis.sampling import (advisory_sample_size, check_sample, community_coverage,
                                         required_sample)

PROPS = settings(database=None, deadline=None, max_examples=300)


@pytest.mark.parametrize("population, required", [
    (20000, 600),   # 0.03 x 20000 = 600 exactly
    (100, 3),       # 3, not ceil(3.0000000000000004) = 4
    (5001, 151),    # 150.03 -> 151
    (33, 1),        # 0.99 -> 1
    (5000, 150),
    (0, 0),
    (1, 1),         # 0.03 -> 1
])
def test_required_sample(population, required):
    assert required_sample(population) == required


def test_required_sample_rate_forms():
    assert required_sample(100, Fraction(3, 100)) == 3
    assert required_sample(100, Decimal("0.03")) == 3
    assert required_sample(100, "0.03") == 3
    assert required_sample(1000, 0.05) == 50       # 0.05 * 1000 = 50.00000000000001 in floats
    with pytest.raises(ValueError):
        required_sample(100, 0)
    with pytest.raises(ValueError):
        required_sample(-1)
    with pytest.raises(TypeError):
        required_sample(100.5)


@PROPS
@given(population=st.integers(0, 10**8))
def test_required_sample_matches_integer_arithmetic(population):
    # ceil(3N/100) in pure integers
    assert required_sample(population) == -(-3 * population // 100)


def test_check_sample_met_and_shortfall():
    ok = check_sample(20000, 600, {"too_fast": 12, "duplicate": 3})
    assert ok.met and ok.shortfall == 0 and ok.required == 600
    short = check_sample(20000, 599)
    assert not short.met and short.shortfall == 1
    assert ok.to_dict() == {"population": 20000, "rate": 0.03, "required": 600, "valid": 600,
                            "excluded": {"duplicate": 3, "too_fast": 12}, "met": True, "shortfall": 0}
    with pytest.raises(ValueError):
        check_sample(20000, 600, {"x": -1})


def test_advisory_sample_size_by_hand():
    # n0 = 1.959964^2 * 0.9 * 0.1 / 0.03^2 = 3.841459 * 0.09 / 0.0009 = 384.1459
    # N = 20000: n = 384.1459 / (1 + 383.1459/20000) = 384.1459 / 1.0191573 = 376.925 -> 377
    assert advisory_sample_size(20000) == 377
    # N = 5000: n = 384.1459 / (1 + 383.1459/5000) = 384.1459 / 1.0766292 = 356.804 -> 357
    assert advisory_sample_size(5000) == 357
    assert advisory_sample_size(None) == 385
    # p = 0.5, e = 0.05: n0 = 3.841459 * 0.25 / 0.0025 = 384.1459 -> 385 without FPC
    assert advisory_sample_size(None, p=0.5, margin=0.05) == 385
    # tiny population: never more than N
    assert advisory_sample_size(10) == 10
    assert advisory_sample_size(0) == 0


def test_community_coverage_by_hand():
    # 150 responses, populations 10000 / 10000 -> expected 75 / 75
    # chi2 = (100-75)^2/75 + (50-75)^2/75 = 625/75 * 2 = 16.6667, df = 1
    # p = erfc(sqrt(16.6667 / 2)) = 4.4557e-05 (chi-square with 1 df)
    res = community_coverage({"A": 100, "B": 50}, {"A": 10000, "B": 10000})
    assert res.tested and res.df == 1
    assert res.statistic == pytest.approx(50 / 3, rel=1e-12)
    assert res.p_value == pytest.approx(math.erfc(math.sqrt(50 / 3 / 2)), rel=1e-9)
    assert res.significant
    assert res.under_covered == ("B",)          # 50 < 0.8 * 75 = 60
    b = res.communities[1]
    assert (b.name, b.expected, b.share, b.ratio) == ("B", 75.0, 0.5, pytest.approx(2 / 3))


def test_community_coverage_threshold_parameter_and_order():
    # expected 75 each; B = 65 >= 0.8 * 75 = 60, but < 0.9 * 75 = 67.5
    obs, pop = {"B": 65, "A": 85}, {"B": 10000, "A": 10000}
    assert community_coverage(obs, pop).under_covered == ()
    assert community_coverage(obs, pop, threshold=0.9).under_covered == ("B",)
    reordered = community_coverage(dict(reversed(list(obs.items()))), dict(reversed(list(pop.items()))))
    assert reordered == community_coverage(obs, pop)
    assert [c.name for c in reordered.communities] == ["A", "B"]


def test_community_coverage_three_groups_unequal():
    # shares 0.5, 0.3, 0.2 of 200 -> expected 100, 60, 40; observed 110, 60, 30
    # chi2 = 100/100 + 0/60 + 100/40 = 1 + 0 + 2.5 = 3.5, df = 2, p = exp(-3.5/2) = 0.173774
    res = community_coverage({"a": 110, "b": 60, "c": 30}, {"a": 5000, "b": 3000, "c": 2000})
    assert res.statistic == pytest.approx(3.5)
    assert res.df == 2
    assert res.p_value == pytest.approx(math.exp(-1.75), rel=1e-9)
    assert not res.significant
    assert res.under_covered == ("c",)           # 30 < 0.8 * 40 = 32


def test_community_coverage_single_community():
    res = community_coverage({"only": 600}, {"only": 20000})
    assert not res.tested and res.statistic is None and res.p_value is None and res.df == 0
    assert res.reason
    assert res.under_covered == ()
    assert res.to_dict()["communities"][0]["expected"] == 600.0


def test_community_coverage_zero_population_and_missing_observed():
    # "new" has no population: left out of the test; "c" has no responses at all
    res = community_coverage({"a": 60, "b": 40, "new": 3}, {"a": 600, "b": 400, "c": 1000, "new": 0})
    # tested: a, b, c with shares .3 .2 .5 of 100 -> expected 30, 20, 50
    # chi2 = 900/30 + 400/20 + 2500/50 = 30 + 20 + 50 = 100, df = 2
    assert res.statistic == pytest.approx(100.0)
    assert res.df == 2
    assert res.unexpected == ("new",)
    assert res.under_covered == ("c",)
    new = [c for c in res.communities if c.name == "new"][0]
    assert new.expected == 0.0 and new.ratio is None and not new.under_covered


def test_community_coverage_low_expected_and_no_responses():
    res = community_coverage({"a": 3, "b": 1}, {"a": 100, "b": 100})
    assert res.low_expected                       # expected 2 and 2
    empty = community_coverage({}, {"a": 100, "b": 100})
    assert not empty.tested and empty.under_covered == ()


def test_community_coverage_rejects_unknown_community():
    with pytest.raises(ValueError):
        community_coverage({"elsewhere": 5}, {"a": 100})
