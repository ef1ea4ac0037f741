"""Reading tallies: the median and the too-fast cut-off."""
from __future__ import annotations

from surveyapp.results.tallies import CampaignTallies, median


def test_median_of_odd_and_even_counts():
    assert median({}) is None
    assert median({5: 1}) == 5
    assert median({1: 1, 2: 1, 10: 1}) == 2
    assert median({1: 1, 2: 1, 10: 1, 11: 1}) == 6  # (2 + 10) / 2
    assert median({100: 2, 200: 2}) == 150
    assert median({30: 3, 180: 4}) == 180


def test_tallies_split_too_fast_from_valid():
    rows = [
        ("__response__", "", "", "", 40, 2),     # too fast at a cut-off of 50
        ("__response__", "", "", "", 150, 5),
        ("__response__", "", "", "", -1, 3),     # paper
        ("business_overall", "5", "", "", -1, 10),
        ("__excluded__", "outside", "", "", -1, 1),
    ]
    tallies = CampaignTallies(rows, cutoff_seconds=50, median_seconds=150)
    assert tallies.valid == 8 and tallies.too_fast == 2
    assert tallies.excluded == {"outside": 1, "too_fast": 2}
    assert tallies.counts("business_overall") == {"5": 10}
