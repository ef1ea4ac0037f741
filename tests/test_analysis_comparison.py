"""Two-proportion z test between rounds, against hand computation."""
from __future__ import annotations

import math

import pytest

from surveyapp.analysis import two_proportions


def test_two_proportions_by_hand():
    # before 480/600 = 0.8, after 540/600 = 0.9; pooled 1020/1200 = 0.85
    # se = sqrt(0.85·0.15·(2/600)) = sqrt(0.000425) = 0.0206155; z = 0.1 / 0.0206155 = 4.8507
    result = two_proportions(480, 600, 540, 600)
    assert result.difference == pytest.approx(0.1)
    assert result.z == pytest.approx(4.850713, rel=1e-6)
    assert result.p_value == pytest.approx(math.erfc(4.850713 / math.sqrt(2)), rel=1e-5)
    assert result.significant is True
    # unpooled se = sqrt(0.8·0.2/600 + 0.9·0.1/600) = sqrt(0.00041667) = 0.0204124
    assert result.ci_low == pytest.approx(0.1 - 1.959964 * 0.0204124, abs=1e-6)


def test_a_small_change_is_noise():
    # 540/600 = 0.9 vs 535/600 = 0.8917: pooled 1075/1200 = 0.895833
    # se = sqrt(0.895833·0.104167·2/600) = 0.0176340; z = −0.008333/0.017634 = −0.47258
    result = two_proportions(540, 600, 535, 600)
    assert result.z == pytest.approx(-0.47258, abs=1e-4)
    assert result.significant is False and result.p_value == pytest.approx(0.6365, abs=1e-3)


def test_degenerate_rounds():
    assert two_proportions(0, 0, 5, 10).reason and two_proportions(0, 0, 5, 10).p_value is None
    same = two_proportions(10, 10, 20, 20)
    assert same.z is None and same.significant is False
    with pytest.raises(ValueError):
        two_proportions(11, 10, 1, 2)
