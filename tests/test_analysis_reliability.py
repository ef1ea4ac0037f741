"""Cronbach's alpha by hand, on a matrix and on covariate patterns."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveyapp.analysis.reliability import cronbach_alpha

PROPS = settings(database=None, deadline=None, max_examples=100)

# 4 respondents x 3 items
M = [[1, 2, 3],
     [2, 3, 3],
     [3, 4, 5],
     [4, 4, 5]]


def test_alpha_by_hand():
    # item variances (divide by n = 4; the divisor cancels):
    #   item1 1,2,3,4 mean 2.5: (2.25+.25+.25+2.25)/4 = 1.25
    #   item2 2,3,4,4 mean 3.25: (1.5625+.0625+.5625+.5625)/4 = 0.6875
    #   item3 3,3,5,5 mean 4: 4/4 = 1
    # totals 6, 8, 12, 13 mean 9.75: (14.0625+3.0625+5.0625+10.5625)/4 = 8.1875
    # alpha = 3/2 * (1 - 2.9375/8.1875) = 1.5 * 84/131 = 126/131 = 0.9618321
    r = cronbach_alpha(M)
    assert r.alpha == pytest.approx(126 / 131, rel=1e-12)
    assert (r.items, r.respondents, r.dropped, r.reason) == (3, 4, 0, None)
    # without item 3: vars 1.25, 0.6875; totals 3, 5, 7, 8 mean 5.75 var 14.75/4 = 3.6875
    # alpha = 2 * (1 - 1.9375/3.6875) = 2 * 1.75/3.6875 = 56/59
    assert r.alpha_if_deleted[2] == pytest.approx(56 / 59, rel=1e-12)


def test_patterns_equal_expanded_rows():
    rows = np.array([[1, 2], [3, 3], [5, 4], [2, 2]])
    freq = np.array([3, 1, 2, 5])
    expanded = np.repeat(rows, freq, axis=0)
    assert cronbach_alpha(rows=rows, frequencies=freq).alpha == pytest.approx(cronbach_alpha(expanded).alpha,
                                                                              rel=1e-12)
    # doubling every row changes nothing
    assert cronbach_alpha(rows=M, frequencies=[2, 2, 2, 2]).alpha == pytest.approx(126 / 131)


def test_listwise_deletion_nan_and_mask():
    with_missing = [row[:] for row in M] + [[5, float("nan"), 1]]
    r = cronbach_alpha(np.array(with_missing, dtype=float))
    assert r.alpha == pytest.approx(126 / 131) and r.dropped == 1 and r.respondents == 4
    data = M + [[5, 0, 1]]                           # 0 = don't know
    mask = np.array(data) != 0
    r = cronbach_alpha(data, mask=mask)
    assert r.alpha == pytest.approx(126 / 131) and r.dropped == 1
    r = cronbach_alpha(rows=data, frequencies=[1, 1, 1, 1, 7], mask=mask)
    assert r.dropped == 7


def test_undefined_cases():
    assert cronbach_alpha([[1], [2], [3]]).alpha is None              # one item
    assert cronbach_alpha([[1, 2, 3]]).alpha is None                  # one respondent
    assert cronbach_alpha([[3, 3], [3, 3], [3, 3]]).alpha is None     # no variance
    r = cronbach_alpha([[1, 2], [2, 1]])                              # perfectly opposed items
    # items var .25 each; total 3, 3 var 0 -> undefined
    assert r.alpha is None and r.reason
    # two items: no alpha-if-deleted
    assert cronbach_alpha([[1, 2], [2, 3], [4, 4]]).alpha_if_deleted is None
    with pytest.raises(ValueError):
        cronbach_alpha(rows=M)
    with pytest.raises(ValueError):
        cronbach_alpha(M, rows=M)


def test_negative_alpha_is_reported():
    # items 1,2,3 and 3,1,2: var 2/3 each; totals 4,3,5 var 2/3
    # alpha = 2 * (1 - (4/3)/(2/3)) = 2 * (1 - 2) = -2
    assert cronbach_alpha([[1, 3], [2, 1], [3, 2]]).alpha == pytest.approx(-2.0)


def test_to_dict_is_plain():
    d = cronbach_alpha(M).to_dict()
    assert isinstance(d["alpha"], float) and isinstance(d["alpha_if_deleted"], list)


@PROPS
@given(st.lists(st.lists(st.integers(1, 5), min_size=3, max_size=3), min_size=2, max_size=30),
       st.randoms(use_true_random=False))
def test_row_order_irrelevant_and_alpha_at_most_one(rows, rnd):
    a = cronbach_alpha(rows)
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    b = cronbach_alpha(shuffled)
    if a.alpha is None:
        assert b.alpha is None
    else:
        assert b.alpha == pytest.approx(a.alpha, abs=1e-9)
        assert a.alpha <= 1.0 + 1e-12
