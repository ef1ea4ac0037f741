"""Fixtures in flaskr's style: ``app`` (fresh database per test), ``client``, ``runner``.

The database is SQLite in a temporary folder (a copy of one database migrated once per run),
or, when SURVEYAPP_TEST_DATABASE_URL is set, that PostgreSQL database: migrated once per run
and emptied before every test.
"""
from __future__ import annotations

import os
import re
import shutil

import pytest
from hypothesis import settings
from sqlalchemy import create_engine, text

from surveyapp import create_app
from surveyapp.db import get_engine
from surveyapp.migrations import upgrade_database

TEST_SECRET = "test-secret-key-not-for-production"

# No per-example deadline: CI runs two suites side by side on two cores, and a property
# test that is correct but slowed by the other suite must not fail as "too slow".
settings.register_profile("surveyapp", deadline=None)
settings.load_profile("surveyapp")


@pytest.fixture(autouse=True, scope="session")
def quick_password_hashes():
    """Passwords hashed with one round of PBKDF2 instead of scrypt: the same code paths (hash on
    create, check on sign-in, the dummy check for unknown names), without 0.1 s per sign-in."""
    from surveyapp.auth import users

    production = users.HASH_METHOD
    users.HASH_METHOD = "pbkdf2:sha256:1"
    users._dummy_hash.cache_clear()
    yield
    users.HASH_METHOD = production
    users._dummy_hash.cache_clear()


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def postgres_engine():
    """With SURVEYAPP_TEST_DATABASE_URL: the schema is rebuilt and migrated once per run,
    and every test then starts from empty tables (TRUNCATE is far cheaper than migrating
    again, which would make the PostgreSQL run several times slower)."""
    url = os.environ.get("SURVEYAPP_TEST_DATABASE_URL")
    if not url:
        yield None
        return
    _reset_postgres(url)
    engine = create_engine(url)
    upgrade_database(engine)
    yield engine
    engine.dispose()


def _empty_tables(engine) -> None:
    """Delete every row and restart the sequences that were used, so ids start at 1 again.

    DELETE rather than TRUNCATE: a test leaves a few rows, and TRUNCATE of all tables costs
    about 0.3 s even when they are empty (it replaces every table's and index's files), while
    the deletes take a few milliseconds. Tables guarded by a trigger of their own (the audit
    log refuses DELETE: it is append-only) are truncated when they hold rows, which row
    triggers do not see."""
    from sqlmodel import SQLModel

    import surveyapp.models  # noqa: F401  (registers the tables)

    quote = engine.dialect.identifier_preparer.quote
    with engine.begin() as connection:
        guarded = set(connection.exec_driver_sql(
            "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace").scalars())
        guarded = {name for name in guarded
                   if connection.exec_driver_sql(f"SELECT EXISTS (SELECT 1 FROM {quote(name)})").scalar()}
        names = [table.name for table in reversed(SQLModel.metadata.sorted_tables)]
        statements = [f"DELETE FROM {quote(name)}" for name in names if name not in guarded]
        if guarded:
            statements.insert(0, "TRUNCATE TABLE " + ", ".join(quote(name) for name in sorted(guarded)))
        connection.exec_driver_sql("; ".join(statements))
        used = connection.exec_driver_sql(
            "SELECT sequencename FROM pg_sequences"
            " WHERE schemaname = current_schema() AND last_value IS NOT NULL").scalars().all()
        if used:
            connection.exec_driver_sql("; ".join(f"ALTER SEQUENCE {quote(name)} RESTART" for name in used))


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory, postgres_engine):
    """One SQLite file migrated to the latest schema per run, copied for every test: running
    the migrations costs about 0.2 s, copying the file about a millisecond, and a copy is the
    same fresh, empty database."""
    if postgres_engine is not None:
        return None
    path = tmp_path_factory.mktemp("migrated") / "template.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    upgrade_database(engine)
    engine.dispose()
    return path


@pytest.fixture
def database_url(tmp_path, postgres_engine, migrated_sqlite) -> str:
    if postgres_engine is not None:
        _empty_tables(postgres_engine)
        return postgres_engine.url.render_as_string(hide_password=False)
    shutil.copyfile(migrated_sqlite, tmp_path / "test.sqlite")
    return f"sqlite:///{tmp_path / 'test.sqlite'}"


@pytest.fixture
def app_config(tmp_path, database_url) -> dict:
    """Settings for a test app; tests may change them before asking for ``app``."""
    return {
        "TESTING": True,
        "SECRET_KEY": TEST_SECRET,
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "BASE_URL": "http://survey.test",
        "RATELIMIT_STORAGE_URI": "memory://",
    }


@pytest.fixture
def app_questionnaires(app_config):
    """Serve the small test questionnaires (tests/data/app_questionnaires) instead of the
    project's; use with ``pytestmark = pytest.mark.usefixtures("app_questionnaires")``."""
    from .helpers import APP_QUESTIONNAIRES

    app_config["QUESTIONNAIRE_DIR"] = str(APP_QUESTIONNAIRES)


@pytest.fixture
def project_questionnaires(app_config):
    """Serve the project's own questionnaires (questionnaires/), as production does; use with
    ``pytestmark = pytest.mark.usefixtures("project_questionnaires")``."""
    from .helpers import PROJECT_QUESTIONNAIRES

    app_config["QUESTIONNAIRE_DIR"] = str(PROJECT_QUESTIONNAIRES)


@pytest.fixture
def make_app(app_config):
    """Build extra apps on the test database (e.g. with other settings); all are disposed."""
    made = []

    def _make(**overrides):
        app = create_app({**app_config, **overrides})
        made.append(app)
        return app

    yield _make
    for app in made:
        get_engine_of(app).dispose()


@pytest.fixture
def app(make_app):
    app = make_app()
    upgrade_database(get_engine_of(app))
    return app


def get_engine_of(app):
    with app.app_context():
        return get_engine()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db(app):
    """A session on the test database, for arranging data and checking what was stored."""
    from sqlmodel import Session

    with Session(get_engine_of(app), expire_on_commit=False) as session:
        yield session


CSRF_PATTERN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token(html: str) -> str:
    """The CSRF token rendered in a page (tests post forms like a browser does)."""
    match = CSRF_PATTERN.search(html)
    assert match, "page has no CSRF token"
    return match.group(1) or match.group(2)


@pytest.fixture
def web(make_app):
    """An app whose forms can be posted without tokens or limits, its database migrated: for
    tests of staff pages that check what a form stores rather than CSRF."""
    from surveyapp.migrations import upgrade_database

    app = make_app(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    upgrade_database(get_engine_of(app))
    return app


@pytest.fixture
def session(web):
    """A database session on ``web``'s database that keeps loaded objects after commits."""
    from sqlmodel import Session

    with Session(get_engine_of(web), expire_on_commit=False) as session:
        yield session
