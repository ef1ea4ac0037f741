"""The database layer: migrations build the schema, SQLite gets its pragmas."""
from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from surveyapp.db import build_engine, get_engine

from .conftest import get_engine_of


def test_migrations_create_every_table(app):
    names = set(inspect(get_engine_of(app)).get_table_names())
    assert {"circle", "community", "campaign", "response", "user", "circle_access",
            "questionnaire_snapshot", "alembic_version"} <= names


def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(tmp_path):
    engine = build_engine(f"sqlite:///{tmp_path / 'nested' / 'x.sqlite'}", busy_timeout_ms=10000)
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 10000
    engine.dispose()


def test_init_db_command_is_idempotent(runner, app):
    first = runner.invoke(args=["init-db"])
    second = runner.invoke(args=["init-db"])
    assert first.exit_code == 0 and second.exit_code == 0
    with app.app_context():
        with get_engine().connect() as connection:
            assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def test_foreign_keys_are_enforced(app, db):
    from sqlalchemy.exc import IntegrityError

    from surveyapp.models import Community

    db.add(Community(circle_id=999, name="孤儿社区", population=1))
    with pytest.raises(IntegrityError):
        db.commit()
