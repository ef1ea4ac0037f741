"""Direct statements (surveyapp.direct_sql) read and write values exactly as SQLAlchemy does,
on SQLite and PostgreSQL, and refuse a statement that would need SQLAlchemy's defaults."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import bindparam, insert, select
from sqlmodel import select as select_objects

from surveyapp.collect import operations
from surveyapp.db import DirectConnection, direct_connection, get_session
from surveyapp.direct_sql import DirectStatement
from surveyapp.models import AnswerDraft
from surveyapp.models.timeutil import utcnow

from .conftest import get_engine_of
from .helpers import PROJECT_QUESTIONNAIRES, make_campaign, make_circle

ANSWERS = {"community": "东社区", "missing_types": ["breakfast", "laundry"], "suggestion": "多开早餐店 \"24小时\"",
           "walk_store_minutes": "5"}


@pytest.fixture
def campaign(db):
    return make_campaign(db, make_circle(db), PROJECT_QUESTIONNAIRES / "resident.yaml")


def test_a_direct_read_gives_the_values_sqlalchemy_gives(app, db, campaign):
    began = utcnow() - timedelta(minutes=3)
    db.add(AnswerDraft(campaign_id=campaign.id, owner="phone-1", answers=ANSWERS, step=2, submission_key="k" * 24,
                       started_at=began, updated_at=began + timedelta(seconds=90)))
    db.commit()
    table = AnswerDraft.__table__
    statement = select(table).where(table.c.owner == bindparam("owner"), table.c.step == 2)
    engine = get_engine_of(app)
    with engine.connect() as connection:
        through_sqlalchemy = tuple(connection.execute(statement, {"owner": "phone-1"}).first())
    pooled = engine.raw_connection()
    try:
        direct = DirectStatement(statement, engine.dialect).first(pooled.driver_connection, {"owner": "phone-1", "step_1": 2})
    finally:
        pooled.close()
    assert direct == through_sqlalchemy
    assert [type(value) for value in direct] == [type(value) for value in through_sqlalchemy]
    by_name = dict(zip(statement.selected_columns.keys(), direct))
    assert by_name["answers"] == ANSWERS and by_name["started_at"] == began and by_name["step"] == 2


def test_a_draft_saved_directly_reads_back_through_the_orm_as_written(app, campaign):
    began = utcnow() - timedelta(minutes=5)
    with app.test_request_context():
        connection = direct_connection()
        operations.save_draft(connection, campaign, "phone-2", answers=ANSWERS, step=3, submission_key="s" * 24,
                              started_at=began)
        draft = get_session().exec(select_objects(AnswerDraft).where(AnswerDraft.owner == "phone-2")).one()
        assert isinstance(direct_connection(), DirectConnection) and direct_connection().session is not None
    assert (draft.answers, draft.step, draft.submission_key, draft.started_at) == (ANSWERS, 3, "s" * 24, began)
    assert began < draft.updated_at <= utcnow()


def test_a_request_gives_its_direct_connection_back_when_it_opens_a_session(app):
    engine = get_engine_of(app)
    with app.test_request_context():
        own = direct_connection()
        own.first(_draft_ids, {})
        held = engine.pool.checkedout()
        get_session().connection()
        assert engine.pool.checkedout() == held  # the direct one went back as the session took one
        with pytest.raises(AttributeError):
            own.first(_draft_ids, {})  # a stale holder fails: that connection may be another request's now
        assert direct_connection().session is not None and direct_connection().first(_draft_ids, {}) is None
    assert engine.pool.checkedout() == 0


def _draft_ids(_dialect):
    return select(AnswerDraft.__table__.c.id), None


def test_a_statement_that_needs_a_default_computed_by_sqlalchemy_is_refused(app):
    dialect = get_engine_of(app).dialect
    with pytest.raises(ValueError, match="every value"):
        DirectStatement(insert(AnswerDraft.__table__), dialect, ["campaign_id", "owner", "answers", "submission_key"])
