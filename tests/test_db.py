"""The database layer: migrations build the schema, SQLite gets its pragmas."""
from __future__ import annotations

import os
import time

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import DBAPIError, DisconnectionError

from surveyapp import db as db_module
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


#: A PostgreSQL server runs beside both test runs (README); these tests need no tables in it.
POSTGRESQL_URL = os.environ.get("SURVEYAPP_TEST_DATABASE_URL") or "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _backend_of(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT pg_backend_pid()")).scalar()


def _cut(pid: int) -> None:
    """End a server process as a database restart would."""
    killer = create_engine(POSTGRESQL_URL)
    with killer.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    killer.dispose()


def test_init_db_warns_when_postgresql_keeps_no_statistics(tmp_path):
    """init-db tells the operator when PostgreSQL's autovacuum is off (plans of the resident's
    prepared read would stay those made for empty tables), and says nothing on SQLite."""
    engine = build_engine(POSTGRESQL_URL)
    try:
        with engine.connect() as connection:
            setting = connection.execute(text("SHOW autovacuum")).scalar()
        assert (db_module.autovacuum_warning(engine) == db_module.AUTOVACUUM_OFF) == (setting == "off")
    finally:
        engine.dispose()
    sqlite = build_engine(f"sqlite:///{tmp_path / 'x.sqlite'}")
    assert db_module.autovacuum_warning(sqlite) is None
    sqlite.dispose()


def test_init_db_prints_the_autovacuum_warning_it_is_given(runner, monkeypatch):
    monkeypatch.setattr(db_module, "autovacuum_warning", lambda _engine: db_module.AUTOVACUUM_OFF)
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0 and "关闭了 autovacuum" in result.output


def test_a_pooled_connection_cut_while_idle_is_replaced_before_use(monkeypatch):
    """A connection idle for longer than PING_AFTER_IDLE_SECONDS is checked before use, and
    one that no longer works is replaced: after a database restart the next request is served."""
    engine = build_engine(POSTGRESQL_URL)
    try:
        first = _backend_of(engine)
        _cut(first)
        monkeypatch.setattr(db_module, "PING_AFTER_IDLE_SECONDS", 0.0)
        time.sleep(0.01)
        assert _backend_of(engine) != first
    finally:
        engine.dispose()


def test_a_connection_used_a_moment_ago_is_handed_out_without_a_ping(monkeypatch):
    """What the idle rule saves: under load a connection is reused within milliseconds and
    goes out unchecked (no round trip), so a cut it has not seen reaches the request."""
    engine = build_engine(POSTGRESQL_URL)
    try:
        first = _backend_of(engine)
        _cut(first)
        monkeypatch.setattr(db_module, "PING_AFTER_IDLE_SECONDS", 3600.0)
        with pytest.raises(DBAPIError) as failure:
            _backend_of(engine)
        assert failure.value.connection_invalidated
        assert _backend_of(engine) != first  # the pool let the dead connection go
    finally:
        engine.dispose()


def test_the_idle_check_pings_only_connections_idle_past_the_limit():
    class Dialect:
        def __init__(self):
            self.pinged = []

        def do_ping(self, connection):
            self.pinged.append(connection)
            if connection == "dead":
                raise OSError("server closed the connection unexpectedly")
            return True

    class Record:
        def __init__(self, idle_for=None):
            self.info = {} if idle_for is None else {db_module._IDLE_SINCE: time.monotonic() - idle_for}

    dialect, limit = Dialect(), db_module.PING_AFTER_IDLE_SECONDS
    db_module._ping_if_idle(dialect, "new", Record(), None)        # never checked in: just opened
    db_module._ping_if_idle(dialect, "used", Record(idle_for=0), None)
    db_module._ping_if_idle(dialect, "idle", Record(idle_for=limit + 1), None)
    with pytest.raises(DisconnectionError):
        db_module._ping_if_idle(dialect, "dead", Record(idle_for=limit + 1), None)
    assert dialect.pinged == ["idle", "dead"]


def test_a_pinged_connection_is_left_outside_a_transaction(monkeypatch):
    """The ping must leave no transaction open: a resident's request then switches the
    connection to autocommit, which psycopg refuses inside one."""
    monkeypatch.setattr(db_module, "PING_AFTER_IDLE_SECONDS", 0.0)
    engine = build_engine(POSTGRESQL_URL)
    try:
        _backend_of(engine)
        time.sleep(0.01)
        with engine.connect() as connection:
            assert connection.connection.driver_connection.info.transaction_status.name == "IDLE"
            connection.execution_options(isolation_level="AUTOCOMMIT")
            assert connection.execute(text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()
