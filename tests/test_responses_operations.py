"""The write path: tallies stay equal to a recount, reviews are recorded, duplicates caught."""
from __future__ import annotations

from collections import Counter

import pytest
from sqlmodel import select

from surveyapp.models import AnswerTally, Response, ResponseReview
from surveyapp.questionnaire import load_questionnaire
from surveyapp.responses import tallies
from surveyapp.responses.operations import (AlreadyAnswered, AlreadyStored, NewResponse, ReviewError, exclude_response,
                                            rebuild_tallies, record_many, record_response, restore_response)

from .helpers import APP_QUESTIONNAIRES, make_campaign, make_circle

MINI = APP_QUESTIONNAIRES / "mini.yaml"


@pytest.fixture
def questionnaire():
    return load_questionnaire(MINI)


@pytest.fixture
def campaign(db):
    return make_campaign(db, make_circle(db), MINI)


def stored_tallies(db, campaign):
    db.expire_all()
    rows = db.exec(select(AnswerTally).where(AnswerTally.campaign_id == campaign.id)).all()
    return Counter({(r.question, r.code, r.group_question, r.group_value, r.duration): r.n for r in rows if r.n})


def paper(score, serial=None, community="东社区"):
    return NewResponse(answers={"community": community, "age_band": "a60", "business_overall": score},
                       channel="paper", serial=serial)


def test_a_response_adds_its_answers_to_the_tallies(db, campaign, questionnaire):
    record_response(db, campaign, questionnaire, NewResponse(
        answers={"community": "东社区", "age_band": "a60", "business_overall": "5", "walk_minutes": 12},
        device_hash="d1"))
    counts = stored_tallies(db, campaign)
    assert counts[("business_overall", "5", "", "", -1)] == 1
    assert counts[("business_overall", "5", "community", "东社区", -1)] == 1
    assert counts[("business_overall", "5", "age_band", "a60", -1)] == 1
    assert counts[("walk_minutes", "12", "", "", -1)] == 1
    assert counts[("__response__", "", "", "", -1)] == 1  # no start time: exempt from the speed rule


def test_same_device_slot_twice_is_refused_and_nothing_counted_twice(db, campaign, questionnaire):
    new = NewResponse(answers={"community": "东社区", "age_band": "a60", "business_overall": "5"}, device_hash="d1",
                      device_slot=1)
    record_response(db, campaign, questionnaire, new)
    with pytest.raises(AlreadyAnswered):
        record_response(db, campaign, questionnaire, NewResponse(**{**new.__dict__}))
    assert stored_tallies(db, campaign)[("__response__", "", "", "", -1)] == 1


def test_the_same_form_twice_is_stored_once(db, campaign, questionnaire):
    new = NewResponse(answers={"community": "东社区", "age_band": "a60", "business_overall": "5"}, device_hash="d1",
                      device_slot=1, submission_key="k" * 24)
    first = record_response(db, campaign, questionnaire, new)
    with pytest.raises(AlreadyStored) as refused:
        record_response(db, campaign, questionnaire, NewResponse(**{**new.__dict__, "device_slot": 2}))
    assert refused.value.response_id == first.id
    assert stored_tallies(db, campaign)[("__response__", "", "", "", -1)] == 1


def test_a_family_members_answer_is_flagged_and_counted(db, campaign, questionnaire):
    answers = {"community": "东社区", "age_band": "a60", "business_overall": "5"}
    for slot in (1, 2):
        record_response(db, campaign, questionnaire, NewResponse(answers=answers, device_hash="d1", device_slot=slot))
    counts = stored_tallies(db, campaign)
    assert counts[("__response__", "", "", "", -1)] == 2
    assert counts[("__flag__", "household_extra", "", "", -1)] == 1


def test_repeated_paper_serials_are_duplicates_of_the_first(db, campaign, questionnaire):
    first = record_many(db, campaign, questionnaire, [paper("5", "A1"), paper("4", "A2"), paper("3", "A1")])
    later = record_many(db, campaign, questionnaire, [paper("2", "A2")])
    assert [r.exclusion for r in first] == [None, None, "duplicate"]
    assert first[2].duplicate_of == first[0].id and later[0].duplicate_of == first[1].id
    counts = stored_tallies(db, campaign)
    assert counts[("__excluded__", "duplicate", "", "", -1)] == 2
    assert counts[("business_overall", "3", "", "", -1)] == 0 and counts[("business_overall", "5", "", "", -1)] == 1


def test_record_many_is_all_or_nothing(db, campaign, questionnaire):
    bad = NewResponse(answers={"community": "东社区", "business_overall": object()}, channel="paper")  # cannot be stored
    with pytest.raises(Exception):
        record_many(db, campaign, questionnaire, [paper("5", "B1"), bad])
    db.rollback()
    assert db.exec(select(Response).where(Response.campaign_id == campaign.id)).all() == []
    assert stored_tallies(db, campaign) == Counter()


def test_exclude_and_restore_move_the_counts_and_keep_a_history(db, campaign, questionnaire):
    [response] = record_many(db, campaign, questionnaire, [paper("5")])
    exclude_response(db, questionnaire, response, "straightlining", "全部选同一项", user_id=None)
    counts = stored_tallies(db, campaign)
    assert counts[("business_overall", "5", "", "", -1)] == 0
    assert counts[("__excluded__", "straightlining", "", "", -1)] == 1
    with pytest.raises(ReviewError):
        exclude_response(db, questionnaire, response, "manual")
    restore_response(db, questionnaire, response, "核实后有效")
    counts = stored_tallies(db, campaign)
    assert counts[("business_overall", "5", "", "", -1)] == 1 and counts[("__excluded__", "straightlining", "", "", -1)] == 0
    history = db.exec(select(ResponseReview).where(ResponseReview.response_id == response.id)
                      .order_by(ResponseReview.id)).all()
    assert [(h.action, h.reason, h.note) for h in history] == [
        ("exclude", "straightlining", "全部选同一项"), ("restore", "restored", "核实后有效")]


def test_unknown_exclusion_reason_is_refused(db, campaign, questionnaire):
    [response] = record_many(db, campaign, questionnaire, [paper("5")])
    with pytest.raises(ReviewError):
        exclude_response(db, questionnaire, response, "because")


def test_incremental_tallies_equal_a_full_recount(db, campaign, questionnaire):
    record_many(db, campaign, questionnaire, [paper(s, f"S{i % 7}") for i, s in enumerate("5432105432")])
    record_many(db, campaign, questionnaire, [paper("5", community="不住在以上社区")])
    [one] = record_many(db, campaign, questionnaire, [paper("1")])
    exclude_response(db, questionnaire, one, "manual", "看不清")
    incremental = stored_tallies(db, campaign)
    rebuild_tallies(db, questionnaire, campaign)
    assert stored_tallies(db, campaign) == incremental
    responses = db.exec(select(Response).where(Response.campaign_id == campaign.id)).all()
    assert +tallies.count(questionnaire, responses) == incremental
