"""The report's method chapter counts answers by channel, interviews and family answers included."""
from __future__ import annotations

from reports.campaign import _method


def summary(**sample):
    return {"campaign": {"questionnaire": "resident", "version": "2026.2",
                         "channels": {"qr": 60, "interview": 30, "paper": 10}},
            "sample": {"valid": 100, **sample}, "indicators": {}, "quality": {}}


def test_channels_are_named_counted_and_shared():
    method = _method(summary(), "居民满意度调查", False)
    assert method["channels"] == [
        {"label": "扫码在线填写", "count": "60", "share": "60.0%"},
        {"label": "入户或街头面访（访员代填）", "count": "30", "share": "30.0%"},
        {"label": "纸质问卷（评价机构录入）", "count": "10", "share": "10.0%"},
    ]
    assert method["household_extra"] is None


def test_answers_given_for_family_members_are_said_with_the_sample_without_them():
    method = _method(summary(household_extra=7, without_household_extra={"valid": 93, "met": False, "shortfall": 2}),
                     "居民满意度调查", False)
    assert method["household_extra"] == {"count": "7", "valid_without": "93", "met_without": False}
