"""Indicators #2/#3: rate, interval, points, borderline and mean score, by hand."""
import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveyapp.analysis.indicators import PointRule, satisfaction_indicator, weighted_satisfaction_indicator
from surveyapp.analysis.sampling import check_sample

PROPS = settings(database=None, deadline=None, max_examples=200)
CONTRACT_KEYS = {"label", "answered", "satisfied", "dont_know", "rate", "ci_low", "ci_high", "ci_method",
                 "points", "max_points", "borderline", "mean_score", "assessable"}
SAT, DK = {"4", "5"}, {"0"}


def ind(counts, population=20000, sample_met=True, **kw):
    return satisfaction_indicator(counts, label="业态满意", satisfied_codes=SAT, dont_know_codes=DK,
                                  population=population, sample_met=sample_met, **kw)


def top2(satisfied, answered, dont_know=0):
    """Counts with ``satisfied`` 5s and the rest 3s."""
    return {"5": satisfied, "3": answered - satisfied, "0": dont_know}


def test_contract_keys_and_json():
    d = ind({"5": 300, "4": 240, "3": 50, "2": 10, "0": 7}).to_dict()
    assert set(d) == CONTRACT_KEYS
    assert json.loads(json.dumps(d, allow_nan=False)) == d
    assert d["label"] == "业态满意" and d["ci_method"] == "wilson-fpc"


def test_full_example_by_hand():
    # answered = 300 + 240 + 50 + 10 = 600 (7 不清楚 excluded); satisfied = 540; rate = 0.9
    # n_eff = 600 / (1 - 600/20000) = 618.5567; z^2/n = 3.841459/618.5567 = 0.00621036
    # centre = (0.9 + 0.00310518) / 1.00621036 = 0.897531
    # half = 1.959964/1.00621036 * sqrt(0.09/618.5567 + 3.841459/(4 * 618.5567^2))
    #      = 1.947867 * sqrt(0.000145500 + 0.00000251) = 1.947867 * 0.0121659 = 0.0236975
    #   centre 0.897531 -/+ 0.0236975
    # -> (0.873834, 0.921229); mean = (1500 + 960 + 150 + 20)/600 = 4.383333 -> (4.383333-1)/4*100 = 84.5833
    r = ind({"5": 300, "4": 240, "3": 50, "2": 10, "0": 7})
    assert (r.answered, r.satisfied, r.dont_know) == (600, 540, 7)
    assert r.rate == 0.9
    assert r.ci_low == pytest.approx(0.873834, abs=1e-6)
    assert r.ci_high == pytest.approx(0.921229, abs=1e-6)
    assert r.points == 16 and r.max_points == 16
    assert r.borderline                          # 0.90 inside (0.8738, 0.9212)
    assert r.mean_score == pytest.approx(84.583333, abs=1e-6)


@pytest.mark.parametrize("satisfied, answered, points", [
    (540, 600, 16),   # exactly 90 % -> 16
    (539, 600, 10),   # 89.83 %
    (480, 600, 10),   # exactly 80 %
    (479, 600, 0),    # 79.83 %
    (600, 600, 16),
    (0, 600, 0),
    (9, 10, 16),
    (4, 5, 10),
    (9_000_000, 10_000_000, 16),
    (8_999_999, 10_000_000, 10),
])
def test_points_rule_at_the_thresholds(satisfied, answered, points):
    assert ind(top2(satisfied, answered), population=10**9).points == points


def test_sample_not_met_scores_zero_whatever_the_rate():
    sample = check_sample(20000, 599)             # one short of 600
    assert not sample.met
    r = ind(top2(599, 599), sample_met=sample.met)
    assert r.rate == 1.0 and r.points == 0


def test_all_dont_know():
    r = ind({"0": 600})
    assert (r.answered, r.dont_know, r.rate, r.ci_low, r.ci_high) == (0, 600, None, None, None)
    assert r.points == 0 and r.borderline is False and r.mean_score is None
    d = r.to_dict()
    assert set(d) == CONTRACT_KEYS and d["rate"] is None
    assert d["assessable"] is False                 # shown as 无法评价, not as a 0% rate


def test_one_real_answer_among_dont_knows_is_assessable():
    r = ind({"0": 599, "4": 1})
    assert r.assessable is True and (r.answered, r.satisfied, r.rate) == (1, 1, 1.0)


def test_no_answer_at_all_is_not_assessable():
    r = ind({})
    assert r.assessable is False and r.rate is None and r.points == 0


def test_borderline_only_when_the_sample_rule_is_met():
    # 486/600 = 0.81 -> (0.777207, 0.838966) contains 0.80 (see test_borderline_cases): borderline
    # with the sample met; with it short the item already scores 0 and is not flagged.
    assert ind(top2(486, 600), sample_met=True).borderline is True
    short = ind(top2(486, 600), sample_met=False)
    assert short.borderline is False and short.points == 0
    assert (short.ci_low, short.ci_high) == pytest.approx((0.777207, 0.838966), abs=1e-6)


def test_census_collapses_interval():
    r = ind(top2(540, 600), population=600)
    assert (r.ci_low, r.ci_high) == (0.9, 0.9)
    r2 = ind(top2(550, 600), population=600)     # 0.91666, no sampling error, not 0.90 or 0.80
    assert r2.ci_low == r2.ci_high == pytest.approx(550 / 600) and not r2.borderline


def test_borderline_cases():
    # 580/600 = 0.96667 on n_eff 618.5567: by hand (as above) -> (0.949393, 0.978180): no threshold inside
    r = ind(top2(580, 600))
    assert r.ci_low == pytest.approx(0.949393, abs=1e-6) and r.ci_high == pytest.approx(0.978180, abs=1e-6)
    assert not r.borderline
    # 486/600 = 0.81 -> (0.777207, 0.838966): contains 0.80
    r = ind(top2(486, 600))
    assert r.ci_low == pytest.approx(0.777207, abs=1e-6) and r.ci_high == pytest.approx(0.838966, abs=1e-6)
    assert r.borderline and r.points == 10
    # 300/600 = 0.5: far from both
    assert not ind(top2(300, 600)).borderline


def test_no_population_is_plain_wilson():
    # 50 of 100, no FPC: 0.5 +/- 0.0961685 (see test_analysis_proportions)
    r = ind({"5": 50, "2": 50}, population=None)
    assert r.ci_method == "wilson"
    assert r.ci_low == pytest.approx(0.4038315, abs=1e-6)


def test_mean_score_by_hand():
    # codes 1..5 once each: mean 3 -> (3-1)/4*100 = 50; dont-know ignored
    assert ind({"1": 1, "2": 1, "3": 1, "4": 1, "5": 1, "0": 9}).mean_score == pytest.approx(50.0)
    # all 5 -> 100; all 1 -> 0
    assert ind({"5": 7}).mean_score == 100.0
    assert ind({"1": 7}).mean_score == 0.0
    # scale disabled
    assert ind({"5": 7}, scale=None).mean_score is None
    with pytest.raises(ValueError):
        ind({"7": 1})
    with pytest.raises(ValueError):
        ind({"x": 1})


def test_codes_as_ints_and_parameters():
    r = satisfaction_indicator({5: 9, 3: 1, 0: 2}, label="服务满意", satisfied_codes=[4, 5], dont_know_codes=[0],
                               population=1000, sample_met=True)
    assert (r.answered, r.satisfied, r.dont_know, r.points) == (10, 9, 2, 16)
    rule = PointRule(full_threshold=0.95, full_points=20, partial_threshold=0.85, partial_points=12)
    assert ind(top2(94, 100), rule=rule).points == 12
    assert ind(top2(95, 100), rule=rule).points == 20
    assert ind(top2(95, 100), rule=rule).max_points == 20
    assert ind(top2(95, 100), max_points=8).points == 8
    with pytest.raises(ValueError):
        satisfaction_indicator({"5": 1}, label="x", satisfied_codes={"5"}, dont_know_codes={"5"},
                               population=10, sample_met=True)


def test_weighted_by_hand():
    # young: 40 of 100 satisfied, old: 180 of 200; weights 1.5 and 0.75 (population 50/50)
    # rate = (1.5*40 + 0.75*180) / (1.5*100 + 0.75*200) = 195/300 = 0.65
    # Kish = (150 + 150)^2 / (100*2.25 + 200*0.5625) = 90000/337.5 = 266.667
    # n_eff = 266.667 / (1 - 300/20000) = 270.7276
    # Wilson at 0.65: z^2/n = 0.0141894; centre = (0.65 + 0.0070947)/1.0141894 = 0.647901
    # half = 1.932542 * sqrt(0.2275/270.7276 + 3.841459/(4*270.7276^2)) = 1.932542 * 0.0292135 = 0.0564560
    # -> (0.591445, 0.704358)
    # mean: young (40*5 + 60*3), old (180*5 + 20*3): (1.5*380 + 0.75*960)/300 = 1290/300 = 4.3 -> 82.5
    r = weighted_satisfaction_indicator({"young": {"5": 40, "3": 60}, "old": {"5": 180, "3": 20, "0": 4}},
                                        {"young": 1.5, "old": 0.75}, label="业态满意", satisfied_codes=SAT,
                                        dont_know_codes=DK, population=20000, sample_met=True)
    assert r.rate == pytest.approx(0.65)
    assert (r.answered, r.satisfied, r.dont_know) == (300, 220, 4)
    assert r.ci_low == pytest.approx(0.591445, abs=1e-6) and r.ci_high == pytest.approx(0.704358, abs=1e-6)
    assert r.mean_score == pytest.approx(82.5)
    assert r.points == 0 and r.ci_method == "wilson-kish-fpc"


def test_weighted_missing_weight_is_an_error():
    with pytest.raises(ValueError):
        weighted_satisfaction_indicator({"a": {"5": 1}}, {}, label="x", satisfied_codes=SAT,
                                        population=None, sample_met=True)


counts_strategy = st.dictionaries(st.sampled_from(["0", "1", "2", "3", "4", "5"]), st.integers(0, 400))


@PROPS
@given(counts=counts_strategy, population=st.one_of(st.none(), st.integers(1, 50000)), met=st.booleans(),
       seed=st.integers(0, 2**32))
def test_reordering_counts_changes_nothing(counts, population, met, seed):
    items = list(counts.items())
    random.Random(seed).shuffle(items)
    assert ind(dict(items), population=population, sample_met=met) == ind(counts, population=population,
                                                                          sample_met=met)


@PROPS
@given(counts=counts_strategy, population=st.one_of(st.none(), st.integers(1, 50000)),
       w=st.floats(0.01, 100), bands=st.integers(1, 4), met=st.booleans())
def test_equal_weights_give_unweighted_result(counts, population, w, bands, met):
    # split the same counts over several bands with one common weight
    by_band = {f"b{i}": {} for i in range(bands)}
    for i, (code, n) in enumerate(sorted(counts.items())):
        by_band[f"b{i % bands}"][code] = n
    plain = ind(counts, population=population, sample_met=met).to_dict()
    weighted = weighted_satisfaction_indicator(by_band, {b: w for b in by_band}, label="业态满意",
                                               satisfied_codes=SAT, dont_know_codes=DK, population=population,
                                               sample_met=met).to_dict()
    plain.pop("ci_method"), weighted.pop("ci_method")
    assert weighted == plain


@PROPS
@given(answered=st.integers(1, 3000), data=st.data(), population=st.integers(1, 100000))
def test_interval_contains_rate_and_points_monotone(answered, data, population):
    s = data.draw(st.integers(0, answered - 1))
    a, b = ind(top2(s, answered), population=population), ind(top2(s + 1, answered), population=population)
    for r in (a, b):
        assert 0.0 <= r.ci_low <= r.rate <= r.ci_high <= 1.0
    assert b.rate > a.rate
    assert b.points >= a.points
