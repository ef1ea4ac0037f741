"""CPU of a resident's context read (collect.operations.respondent_context's statement), by
the way it reaches the database: through a new Session (as before surveyapp.direct_sql),
through ``engine.connect()``, and straight on the driver's pooled connection (now).

    .venv/bin/python bench/direct_sql_bench.py [--reads 2000] [--database-url ...]

Prints microseconds of CPU per read, each way; the row read is the same (on PostgreSQL the
first two also pay the BEGIN and ROLLBACK of their transaction, as the Session did).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import live_server  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reads", type=int, default=2000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    live_server.OUT.mkdir(parents=True, exist_ok=True)
    url = args.database_url or "sqlite:///" + str(live_server.OUT / "direct-sql.sqlite")
    live_server.reset_database(url)
    token, campaign_id = live_server.open_campaign(url)

    from sqlmodel import Session

    from surveyapp import create_app
    from surveyapp.collect.operations import _device_hash, _respondent_statement, respondent_context
    from surveyapp.db import DirectConnection, get_engine

    secret = live_server.SECRET
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": secret, "INSTANCE_PATH": str(live_server.OUT / "instance")})
    values = {"campaign_id": campaign_id, "token": token, "device": _device_hash(secret, campaign_id, "phone"),
              "key": None}
    with app.app_context():
        engine = get_engine()
        statement, _ = _respondent_statement(engine.dialect.name)

        def through_session():
            with Session(engine, expire_on_commit=False) as session:
                session.connection().execute(statement, values).first()

        def through_connection():
            with engine.connect() as connection:
                connection.execute(statement, values).first()

        def straight():
            connection = DirectConnection(engine)
            try:
                respondent_context(connection, secret, token, "phone")
            finally:
                connection.close()

        for name, read in (("new Session, Connection.execute", through_session),
                           ("engine.connect(), Connection.execute", through_connection),
                           ("direct (respondent_context, values converted)", straight)):
            for _ in range(50):
                read()
            began = time.process_time()
            for _ in range(args.reads):
                read()
            print(f"{name:<48} {1e6 * (time.process_time() - began) / args.reads:7.1f} µs per read")


if __name__ == "__main__":
    main()
