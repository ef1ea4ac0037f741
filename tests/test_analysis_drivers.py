"""Key drivers: logistic regression against a 2x2 odds ratio by hand; failures without warnings."""
import contextlib
import math
import warnings

import numpy as np
import pytest
from scipy.stats import norm

from surveyapp.analysis.drivers import DriverItem, DriversResult, importance_performance, key_drivers

# 2x2 table: item score 2 vs 1 against overall satisfied 1/0
#            y=1   y=0
#   x=2       60    10      (a, b)
#   x=1       30    20      (c, d)
# OR = ad/bc = 60*20 / (10*30) = 4; SE(log OR) = sqrt(1/60 + 1/10 + 1/30 + 1/20) = sqrt(0.2) = 0.4472136
# Wald 95 % CI (statsmodels' conf_int) = exp(ln 4 -/+ 1.959964 * 0.4472136) = (1.664911, 9.610121);
# the profile-likelihood interval (reported) is wider on the right: (1.699393, 9.940184), checked
# below against a brute-force profile of the closed-form log-likelihood.
# Wald z = 1.3862944 / 0.4472136 = 3.0998467; p = 2 * (1 - Phi(z)) = 0.0019362
# intercept = logit at x=0 = ln(30/20) - ln 4 = 0.4054651 - 1.3862944 = -0.9808293
ROWS = np.array([[2.0], [2.0], [1.0], [1.0]])
Y = np.array([1, 0, 1, 0])
F = np.array([60, 10, 30, 20])


@contextlib.contextmanager
def strict():
    """Any warning is an error, whatever the command-line -W flags."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def test_odds_ratio_from_2x2_table():
    r = key_drivers(ROWS, Y, frequencies=F, names=["早餐"], satisfied_codes=(2,))
    assert r.ok and r.reason is None and r.n == 120 and r.events == 90
    item = r.items[0]
    assert item.name == "早餐"
    assert item.odds_ratio == pytest.approx(4.0, abs=1e-6)
    assert item.coefficient == pytest.approx(math.log(4), abs=1e-6)
    se = math.sqrt(0.2)
    assert r.ci_method == "profile-likelihood"
    assert item.ci_low == pytest.approx(1.699393, abs=1e-5) and item.ci_high == pytest.approx(9.940184, abs=1e-5)
    # wider than the Wald interval on the right, not symmetric on the log scale
    assert item.ci_high > math.exp(math.log(4) + 1.959964 * se)
    assert item.p_value == pytest.approx(2 * norm.sf(math.log(4) / se), rel=1e-6)
    assert r.intercept == pytest.approx(math.log(1.5) - math.log(4), abs=1e-6)
    # item satisfaction rate: 70 of 120 scored 2 (the "satisfied" code here)
    assert item.satisfaction_rate == pytest.approx(70 / 120)


def _closed_form_llf(b0: float, b1: float) -> float:
    """Log-likelihood of the 2x2 table above, written out cell by cell (no statsmodels)."""
    total = 0.0
    for x, y, f in ((2, 1, 60), (2, 0, 10), (1, 1, 30), (1, 0, 20)):
        p = 1 / (1 + math.exp(-(b0 + b1 * x)))
        total += f * math.log(p if y else 1 - p)
    return total


def test_profile_interval_against_a_brute_force_profile():
    """The interval's ends are where the log-likelihood, maximised over the intercept with the
    slope fixed, falls chi2(1, 0.95)/2 = 1.920729 below its maximum; found here by a bounded
    scalar search and root bracketing on the closed form, independently of the GLM refits."""
    from scipy.optimize import brentq, minimize_scalar

    def profile(b1):
        return -minimize_scalar(lambda b0: -_closed_form_llf(b0, b1), bounds=(-20, 20), method="bounded",
                                options={"xatol": 1e-12}).fun

    top = profile(math.log(4))
    low = brentq(lambda b: top - profile(b) - 1.920729410347062, -2, math.log(4))
    high = brentq(lambda b: top - profile(b) - 1.920729410347062, math.log(4), 5)
    item = key_drivers(ROWS, Y, frequencies=F).items[0]
    assert item.ci_low == pytest.approx(math.exp(low), rel=1e-7)
    assert item.ci_high == pytest.approx(math.exp(high), rel=1e-7)


def test_patterns_equal_expanded_rows():
    expanded_x = np.repeat(ROWS, F, axis=0)
    expanded_y = np.repeat(Y, F)
    a = key_drivers(ROWS, Y, frequencies=F)
    b = key_drivers(expanded_x, expanded_y)
    for x, y in zip(a.items, b.items):
        for field in ("coefficient", "ci_low", "ci_high", "p_value", "correlation"):
            assert getattr(x, field) == pytest.approx(getattr(y, field), rel=1e-8)


def test_point_biserial_correlation_by_hand():
    # x: 70 twos, 50 ones; y: 90 ones. Cov = E[xy] - E[x]E[y] = (120/120 ... ) computed on sums:
    # E[x] = (140 + 50)/120 = 1.583333; E[y] = 0.75; E[xy] = (60*2 + 30*1)/120 = 1.25
    # cov = 1.25 - 1.583333*0.75 = 0.0625; var x = 70*50/120^2 = 0.2430556; var y = 0.1875
    # r = 0.0625 / sqrt(0.2430556 * 0.1875) = 0.0625 / 0.2134800 = 0.2927700
    r = key_drivers(ROWS, Y, frequencies=F)
    assert r.items[0].correlation == pytest.approx(0.2927700, abs=1e-6)


def test_two_items_multiple_regression_runs():
    rng = np.random.default_rng(7)
    x = rng.integers(1, 6, size=(400, 2)).astype(float)
    logit = -6 + 1.0 * x[:, 0] + 0.5 * x[:, 1]
    y = (rng.random(400) < 1 / (1 + np.exp(-logit))).astype(int)
    with strict():
        r = key_drivers(x, y, names=["order", "hygiene"])
    assert r.ok
    assert r.items[0].odds_ratio > r.items[1].odds_ratio > 1
    for i in r.items:
        assert i.ci_low < i.odds_ratio < i.ci_high and 0 <= i.p_value <= 1


@pytest.mark.parametrize("rows, y, freq, reason_part", [
    # complete separation: score >= 3 always satisfied, <= 2 never
    (np.array([[1.0], [2.0], [3.0], [4.0]]), np.array([0, 0, 1, 1]), np.array([30, 30, 30, 30]), "separation"),
    # quasi-separation: score 2 splits, 1 never, 3 always
    (np.array([[1.0], [2.0], [2.0], [3.0]]), np.array([0, 0, 1, 1]), np.array([30, 30, 30, 30]), "separation"),
    # outcome constant
    (np.array([[1.0], [2.0]]), np.array([1, 1]), np.array([30, 30]), "does not vary"),
    # constant item -> singular design
    (np.array([[3.0, 1.0], [3.0, 2.0], [3.0, 1.0], [3.0, 2.0]]), np.array([1, 0, 0, 1]), np.array([9, 9, 9, 9]),
     "singular"),
    # too few respondents
    (np.array([[1.0, 2.0], [2.0, 2.0]]), np.array([1, 0]), None, "too few"),
])
def test_failures_are_results_not_exceptions(rows, y, freq, reason_part):
    with strict():
        r = key_drivers(rows, y, frequencies=freq)
    assert not r.ok and reason_part in r.reason
    assert all(i.odds_ratio is None and i.p_value is None for i in r.items)
    assert r.to_dict()["ok"] is False


def test_collinear_items_are_singular():
    x = np.array([[1.0, 2.0], [2.0, 4.0], [3.0, 6.0], [4.0, 8.0]] * 5)
    y = np.array([0, 1, 0, 1] * 5)
    with strict():
        r = key_drivers(x, y)
    assert not r.ok and "singular" in r.reason


def test_missing_rows_dropped_and_inputs_checked():
    x = np.vstack([np.repeat(ROWS, F, axis=0), [[np.nan]] * 3])
    y = np.concatenate([np.repeat(Y, F), [1, 1, 1]])
    r = key_drivers(x, y)
    assert r.dropped == 3 and r.n == 120
    assert r.items[0].odds_ratio == pytest.approx(4.0, abs=1e-6)
    with pytest.raises(ValueError):
        key_drivers(ROWS, np.array([2, 0, 1, 0]))
    with pytest.raises(ValueError):
        key_drivers(ROWS, Y, names=["a", "b"])


def test_fewer_than_ten_events_per_item_is_suppressed_with_a_plain_reason():
    # 12 respondents, 9 satisfied, 3 not: 3 non-events for 1 item < 10 → no model
    with strict():
        r = key_drivers(ROWS, Y, frequencies=np.array([6, 1, 3, 2]), satisfied_codes=(2,))
    assert not r.ok and "events per item" in r.reason
    assert all(i.odds_ratio is None and i.ci_low is None for i in r.items)
    assert "至少各需 10 个" in r.explanation and "只有 3 个" in r.explanation
    assert r.items[0].satisfaction_rate == pytest.approx(7 / 12)  # descriptive figures stay


@pytest.mark.parametrize("non_events, ok", [(19, False), (20, True)])
def test_events_per_item_edge(non_events, ok):
    """Two items need 20 of the rarer outcome: 19 is suppressed, exactly 20 is fitted."""
    rng = np.random.default_rng(3)
    x_sat = rng.integers(2, 6, size=(60, 2)).astype(float)
    x_not = rng.integers(1, 5, size=(non_events, 2)).astype(float)
    x = np.vstack([x_sat, x_not])
    y = np.concatenate([np.ones(60), np.zeros(non_events)])
    with strict():
        r = key_drivers(x, y)
    assert r.ok is ok and r.events == 60 and r.n == 60 + non_events


def fake(items):
    return DriversResult(True, None, 100, 80, 0, 0.0,
                         tuple(DriverItem(n, perf, corr, coef, None, None, None, None)
                               for n, coef, corr, perf in items), ())


def test_importance_performance_quadrants():
    # coefficients 1.0, 0.8, 0.2, 0.0 -> mean 0.5; rates 0.95, 0.70, 0.60, 0.95 -> mean 0.80
    r = importance_performance(fake([("a", 1.0, 0.1, 0.95), ("b", 0.8, 0.1, 0.70),
                                     ("c", 0.2, 0.1, 0.60), ("d", 0.0, 0.1, 0.95)]))
    assert r.ok and r.importance_mean == pytest.approx(0.5) and r.performance_mean == pytest.approx(0.8)
    assert [i.quadrant for i in r.items] == ["keep_up", "concentrate", "low_priority", "possible_overkill"]


def test_importance_performance_by_correlation_when_regression_failed():
    failed = DriversResult(False, "perfect separation", 10, 5, 0, None,
                           (DriverItem("a", 0.9, 0.6, None, None, None, None, None),
                            DriverItem("b", 0.5, 0.2, None, None, None, None, None)), ())
    r = importance_performance(failed)
    assert not r.ok and r.items[0].quadrant is None
    r = importance_performance(failed, importance="correlation")
    # correlations .6/.2 mean .4; rates .9/.5 mean .7
    assert r.ok and [i.quadrant for i in r.items] == ["keep_up", "low_priority"]
    with pytest.raises(ValueError):
        importance_performance(failed, importance="weight")
