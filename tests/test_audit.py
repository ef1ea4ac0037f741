"""The audit log: entries record who, what, before and after, in the write's transaction, and
the database itself refuses to change or delete one (on SQLite and PostgreSQL)."""
from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from surveyapp.audit.operations import changed, plain, record
from surveyapp.models import AuditEntry


def test_record_keeps_only_what_changed_and_names_the_shell_user(app, db):
    with app.app_context():
        record(db, "circle.update", summary="修改生活圈", target_type="circle", target_id=3, circle_id=3,
               before={"name": "甲", "population": 100}, after={"name": "甲", "population": 120})
        db.commit()
    entry = db.exec(select(AuditEntry)).one()
    assert entry.before == {"population": 100} and entry.after == {"population": 120}
    assert entry.actor.startswith("命令行") and entry.user_id is None
    assert (entry.action, entry.target_type, entry.target_id, entry.circle_id) == ("circle.update", "circle", "3", 3)


def test_an_entry_is_stored_only_with_its_change(app, db):
    record(db, "circle.create", after={"name": "乙"})
    db.rollback()
    assert db.exec(select(AuditEntry)).first() is None


@pytest.mark.parametrize("statement", ["UPDATE audit_entry SET summary = 'rewritten'", "DELETE FROM audit_entry"])
def test_the_database_refuses_to_rewrite_history(app, db, statement):
    record(db, "auth.login", summary="登录")
    db.commit()
    with pytest.raises(DBAPIError) as info:
        db.execute(text(statement))
        db.commit()
    db.rollback()
    assert "append-only" in str(info.value)
    assert db.exec(select(AuditEntry)).one().summary == "登录"


def test_plain_and_changed():
    import datetime as dt
    from fractions import Fraction

    assert plain({"d": dt.date(2026, 1, 2), "f": Fraction(1, 4), "s": {"b", "a"}}) == \
        {"d": "2026-01-02", "f": 0.25, "s": ["a", "b"]}
    assert changed({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 4}) == ({"b": 2, "c": None}, {"b": 3, "c": 4})
    assert changed(None, {"a": 1}) == (None, {"a": 1})
