"""Median time of a failed sign-in: wrong password for an existing account vs a username that
does not exist (they must not differ, or timing tells which usernames exist).

    PYTHONPATH=. .venv/bin/python bench/login_timing_bench.py [--rounds 40]

In-process (Flask test client, SQLite file), CSRF and rate limits off, the per-account lock
set out of reach so that every attempt checks a password. Run it with PYTHONPATH pointing at
an older checkout to compare.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    from surveyapp import create_app
    from surveyapp.auth.users import create_user
    from surveyapp.db import get_engine, session_scope
    from surveyapp.migrations import upgrade_database

    folder = Path(tempfile.mkdtemp(prefix="login-bench-"))
    app = create_app({"DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite'}", "INSTANCE_PATH": str(folder),
                      "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                      "LOGIN_FREE_FAILURES": 10**9})
    with app.app_context():
        upgrade_database(get_engine())
        with session_scope() as session:
            create_user(session, "zhang", "correct-horse", "assessor")
    client = app.test_client()
    client.post("/staff/login", data={"username": "warm-up", "password": "x"})  # first-use costs
    times = {"wrong password": [], "unknown username": []}
    for index in range(args.rounds):
        for label, username in (("wrong password", "zhang"), ("unknown username", f"nobody-{index}")):
            start = time.perf_counter()
            response = client.post("/staff/login", data={"username": username, "password": "wrong-password"})
            times[label].append(time.perf_counter() - start)
            assert response.status_code == 200
    for label, values in times.items():
        print(f"{label:18s} median {statistics.median(values) * 1000:6.1f} ms  (n={len(values)})")


if __name__ == "__main__":
    main()
