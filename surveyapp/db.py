"""Database engine and per-request sessions.

The engine is created by :func:`init_app` inside the app factory (never at import time),
kept in ``app.extensions``, and one :class:`sqlmodel.Session` is opened lazily per request.
SQLite gets WAL, a busy timeout and foreign keys so that one machine can take many phones
submitting at once; PostgreSQL is used as is.
"""
from __future__ import annotations

import functools
import time
from contextlib import contextmanager
from pathlib import Path

import click
from flask.cli import with_appcontext
from flask import current_app, g
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, create_engine

from .direct_sql import prepared
from .migrations import upgrade_database
from .textinput import clean_data, data_needs_cleaning, needs_cleaning, scrub_text

EXTENSION_KEY = "surveyapp.engine"


def build_engine(url: str, busy_timeout_ms: int = 10000) -> Engine:
    """Create the engine for ``url``; SQLite connections get the pragmas we rely on."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no branch - trivial
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    engine = create_engine(url)
    event.listen(engine, "checkin", _note_idle_from)
    event.listen(engine, "checkout", functools.partial(_ping_if_idle, engine.dialect))
    return engine


#: A pooled connection idle for longer than this is checked (one round trip) before use.
PING_AFTER_IDLE_SECONDS = 1.0
_IDLE_SINCE = "surveyapp.idle_since"


def _note_idle_from(_dbapi_connection, record) -> None:
    record.info[_IDLE_SINCE] = time.monotonic()


def _ping_if_idle(dialect, dbapi_connection, record, _proxy) -> None:
    """Check a connection that has been idle before handing it out, the custom form of
    SQLAlchemy's pessimistic disconnect handling (raising DisconnectionError makes the pool
    retry with a new connection), instead of ``pool_pre_ping``, which costs a round trip on
    every checkout: a resident's page view is one statement, so that ping was a third of the
    round trips of a whole journey. A connection used within the last second cannot have
    outlived a database restart unseen: a restart takes longer, and a request during it fails
    on its connection, which makes the pool drop all of them."""
    since = record.info.get(_IDLE_SINCE)
    if since is None or time.monotonic() - since <= PING_AFTER_IDLE_SECONDS:
        return
    try:
        dialect.do_ping(dbapi_connection)  # the driver's own ping (psycopg's leaves no transaction open)
    except Exception as error:  # any failure of the ping: this connection is not usable
        raise sa.exc.DisconnectionError() from error


def scrubbed(value):
    """``value`` (a column's str or JSON value) after the text rule, or the same object."""
    if isinstance(value, str):
        return scrub_text(value) if needs_cleaning(value) else value
    if isinstance(value, (dict, list)):
        # most answers need nothing: look before copying (a 2,000-row import flushes 2,000 dicts)
        return clean_data(value, text=scrub_text) if data_needs_cleaning(value) else value
    return value


def is_text_column(column) -> bool:
    """A column holding text or JSON (SQLModel's AutoString decorates String)."""
    column_type = column.type
    if isinstance(column_type, sa.TypeDecorator):
        column_type = column_type.impl_instance
    return isinstance(column_type, (sa.String, sa.JSON))


def scrub_before_flush(session, _flush_context, _instances) -> None:
    """The database write boundary's backstop for :mod:`surveyapp.textinput`: every text and
    JSON value of every row about to be written has its control characters removed (and a
    lone surrogate replaced), whichever way it arrived. Text from people is cleaned (and
    refused) earlier, where they can be told; this catches what code builds by itself."""
    for obj in (*session.new, *session.dirty):
        state = sa.inspect(obj)
        unloaded = state.unloaded
        for attribute in state.mapper.column_attrs:
            if attribute.key in unloaded:  # not touched, so not being written
                continue
            if not is_text_column(attribute.columns[0]):
                continue
            value = getattr(obj, attribute.key)
            cleaned = scrubbed(value)
            if cleaned is not value:
                setattr(obj, attribute.key, cleaned)


def get_engine() -> Engine:
    return current_app.extensions[EXTENSION_KEY]


def get_session() -> Session:
    """The request's session, opened on first use and closed at teardown. A direct connection
    the request holds is given back first, and later direct statements run in the session's
    transaction: a request never holds two pooled connections (twenty parallel posts would
    otherwise wait on each other for the pool)."""
    if "db_session" not in g:
        close_direct_connection()
        g.db_session = Session(get_engine(), expire_on_commit=False)
    return g.db_session


class DirectConnection:
    """Where a request runs its direct statements (:mod:`surveyapp.direct_sql`): its own
    pooled driver connection while it has no Session, in autocommit mode on PostgreSQL (a
    resident's read, a draft's upsert and the storing of an answer are one statement each: no
    BEGIN, COMMIT or ROLLBACK to send; SQLite's driver begins a transaction before a write,
    which ``commit`` or ``rollback`` ends);
    otherwise the Session's connection, inside its transaction."""

    def __init__(self, engine=None, session: Session | None = None):
        self.session = session
        self._pooled = None
        if session is None:
            self.dialect = engine.dialect
            self._pooled = engine.raw_connection()
            self._driver = self._pooled.driver_connection
            self.autocommit = self.dialect.name == "postgresql"
            if self.autocommit:
                self._driver.autocommit = True
        else:
            self.dialect = session.get_bind().dialect
            self.autocommit = False

    @property
    def driver(self):
        if self.session is not None:
            return self.session.connection().connection.driver_connection
        return self._driver

    def first(self, build, values: dict) -> tuple | None:
        return prepared(build, self.dialect).first(self.driver, values)

    def run(self, build, values: dict) -> None:
        prepared(build, self.dialect).run(self.driver, values)

    def run_many(self, build, rows: list[dict]) -> None:
        prepared(build, self.dialect).run_many(self.driver, rows)

    def commit(self) -> None:
        if self.session is not None:
            self.session.commit()
        elif not self.autocommit:
            self._driver.commit()

    def rollback(self) -> None:
        if self.session is not None:
            self.session.rollback()
        elif not self.autocommit:
            self._driver.rollback()

    def close(self) -> None:
        """Back to the pool (which rolls back whatever was not committed), as it came."""
        if self._pooled is None:
            return
        pooled, self._pooled, self._driver = self._pooled, None, None  # a stale holder fails, never shares
        try:
            if self.autocommit:
                pooled.driver_connection.autocommit = False
        finally:
            pooled.close()


def direct_connection() -> DirectConnection:
    """The request's DirectConnection (see there), opened on first use, given back at teardown."""
    session = g.get("db_session")
    if session is not None:
        return DirectConnection(session=session)
    connection = g.get("db_direct_connection")
    if connection is None:
        connection = g.db_direct_connection = DirectConnection(get_engine())
    return connection


def close_direct_connection(_exc=None) -> None:
    connection = g.pop("db_direct_connection", None)
    if connection is not None:
        connection.close()


@contextmanager
def session_scope():
    """A session outside a request (CLI commands, the demo seeder)."""
    with Session(get_engine(), expire_on_commit=False) as session:
        yield session


def close_session(_exc=None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


#: Told by init-db when PostgreSQL's autovacuum is off (see autovacuum_warning).
AUTOVACUUM_OFF = (
    "警告: 这个 PostgreSQL 关闭了 autovacuum。居民每打开一页都用预先准备好的查询，没有最新的统计信息，"
    "数据库会一直沿用表还空着时定下的查询计划，每一页都要把这次调查的全部答卷扫一遍，答卷越多越慢。"
    "请在 postgresql.conf 中设 autovacuum = on（默认值），或定期运行 ANALYZE。"
)


def autovacuum_warning(engine: Engine) -> str | None:
    """AUTOVACUUM_OFF when ``engine`` is a PostgreSQL whose autovacuum is off, else None: the
    resident's read is a prepared statement, and without statistics kept fresh the server keeps
    the plan it made for the empty tables (measured: a scan of every answer of the campaign on
    every page, the database's CPU per answer doubling within minutes)."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as connection:
        setting = connection.exec_driver_sql("SHOW autovacuum").scalar()
    return AUTOVACUUM_OFF if setting != "on" else None


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create the database or migrate it to the latest schema."""
    upgrade_database(get_engine())
    click.echo(f"数据库已就绪: {get_engine().url.render_as_string(hide_password=True)}")
    warning = autovacuum_warning(get_engine())
    if warning:
        click.echo(warning, err=True)


def init_app(app) -> None:
    if not event.contains(OrmSession, "before_flush", scrub_before_flush):
        event.listen(OrmSession, "before_flush", scrub_before_flush)
    app.extensions[EXTENSION_KEY] = build_engine(
        app.config["DATABASE_URL"], app.config["SQLITE_BUSY_TIMEOUT_MS"]
    )
    app.teardown_appcontext(close_session)
    app.teardown_appcontext(close_direct_connection)
    app.cli.add_command(init_db_command)
