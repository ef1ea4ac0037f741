"""Post-stratification weights by age band and the weighted rate with Kish's size."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveyapp.analysis.weighting import poststratification_weights, weighted_rate

PROPS = settings(database=None, deadline=None, max_examples=200)


def test_weights_by_hand():
    # sample 100 young / 200 old (1/3, 2/3); population 50 / 50
    # w_young = 0.5 / (1/3) = 1.5; w_old = 0.5 / (2/3) = 0.75
    # Kish = (150 + 150)^2 / (100*2.25 + 200*0.5625) = 90000/337.5 = 266.667; deff = 300/266.667 = 1.125
    w = poststratification_weights({"young": 100, "old": 200}, {"young": 0.5, "old": 0.5})
    assert w.weights == {"old": pytest.approx(0.75), "young": pytest.approx(1.5)}
    assert w.missing == () and w.respondents == 300
    assert w.effective_size == pytest.approx(800 / 3)
    assert w.design_effect == pytest.approx(1.125)


def test_band_without_respondents_is_reported_and_weights_renormalised():
    # 18-39 has 40 % of the population and nobody answered: renormalise .3/.3 -> .5/.5
    w = poststratification_weights({"18-39": 0, "40-59": 100, "60+": 200},
                                   {"18-39": 0.4, "40-59": 0.3, "60+": 0.3})
    assert w.missing == ("18-39",)
    assert w.weights == {"40-59": pytest.approx(1.5), "60+": pytest.approx(0.75)}
    # weighted total equals the respondents
    assert 100 * w.weights["40-59"] + 200 * w.weights["60+"] == pytest.approx(300)


def test_population_counts_accepted_as_shares():
    a = poststratification_weights({"a": 30, "b": 70}, {"a": 5000, "b": 5000})
    b = poststratification_weights({"a": 30, "b": 70}, {"a": 0.5, "b": 0.5})
    assert a == b


def test_respondents_in_a_band_without_population_is_an_error():
    with pytest.raises(ValueError):
        poststratification_weights({"a": 3, "b": 7}, {"a": 1.0})


def test_weighted_rate_by_hand():
    # rate = (1.5*40 + 0.75*180)/(1.5*100 + 0.75*200) = 195/300 = 0.65
    # n_eff = 266.667 / (1 - 300/20000) = 270.7276 -> Wilson (0.591445, 0.704358) (see indicators test)
    r = weighted_rate({"young": 40, "old": 180}, {"young": 100, "old": 200}, {"young": 1.5, "old": 0.75},
                      population=20000)
    assert r.rate == pytest.approx(0.65)
    assert r.n == 300 and r.kish_n == pytest.approx(800 / 3)
    assert r.effective_size == pytest.approx(270.7276, abs=1e-4)
    assert r.ci_low == pytest.approx(0.591445, abs=1e-6) and r.ci_high == pytest.approx(0.704358, abs=1e-6)


def test_weighted_rate_empty_and_errors():
    r = weighted_rate({}, {"a": 0}, {})
    assert r.rate is None and r.ci_low is None
    with pytest.raises(ValueError):
        weighted_rate({"a": 5}, {"a": 4}, {"a": 1.0})
    with pytest.raises(ValueError):
        weighted_rate({"a": 1}, {"a": 4}, {})


@PROPS
@given(bands=st.lists(st.tuples(st.integers(1, 500), st.floats(0, 1)), min_size=1, max_size=6),
       w=st.floats(0.01, 100), population=st.one_of(st.none(), st.integers(3001, 10**6)))
def test_equal_weights_give_unweighted_rate(bands, w, population):
    answered = {f"b{i}": a for i, (a, _) in enumerate(bands)}
    satisfied = {f"b{i}": int(a * f) for i, (a, f) in enumerate(bands)}
    r = weighted_rate(satisfied, answered, {b: w for b in answered}, population=population)
    n, s = sum(answered.values()), sum(satisfied.values())
    assert r.rate == s / n
    assert r.kish_n == n


@PROPS
@given(sample=st.lists(st.integers(1, 1000), min_size=1, max_size=6),
       shares=st.lists(st.floats(0.01, 1), min_size=6, max_size=6))
def test_weighted_sample_reproduces_population_shares(sample, shares):
    bands = [f"b{i}" for i in range(len(sample))]
    w = poststratification_weights(dict(zip(bands, sample)), dict(zip(bands, shares)))
    total = sum(shares[: len(sample)])
    for i, b in enumerate(bands):
        assert sample[i] * w.weights[b] / sum(sample) == pytest.approx(shares[i] / total)
    assert w.effective_size <= sum(sample) * (1 + 1e-12)
