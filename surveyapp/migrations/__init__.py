"""Alembic migrations, run programmatically so no alembic.ini is needed at run time.

``upgrade_database(engine)`` brings any database (new or old) to the latest schema; SQLite
uses batch mode so that later migrations can alter tables.
"""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

SCRIPT_LOCATION = str(Path(__file__).resolve().parent)


def alembic_config(engine=None) -> Config:
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    if engine is not None:
        config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return config


def upgrade_database(engine, revision: str = "head") -> None:
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
