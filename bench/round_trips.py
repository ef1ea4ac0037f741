"""Round trips to PostgreSQL per resident journey, counted at the driver (no timing, so the
figure is exact and does not depend on the machine's load).

    PSYCOPG_IMPL=python .venv/bin/python bench/round_trips.py \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/surveyapp_bench [--journeys 20]

Every query psycopg sends (statements, BEGIN, COMMIT, ROLLBACK, the pool's pings) is one
round trip, and so is a pipeline (an executemany); printed per request of the journey (bench/profile_journey.py's: 5 GET + 5 POST),
with the SQL's first word of each. psycopg's pure-Python libpq wrapper is needed to count
(PSYCOPG_IMPL=python); the database given is emptied first.
"""
from __future__ import annotations

import argparse
import os
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import live_server  # noqa: E402
from bench.profile_journey import journey  # noqa: E402

SENDING = ("exec_", "exec_params", "exec_prepared", "send_query", "send_query_params", "send_prepare",
           "send_query_prepared")


def count_queries(sent: list) -> None:
    """Wrap the libpq calls that send a query: each call outside pipeline mode appends its
    SQL's first word (a prepared statement's, by its name); a pipeline (psycopg sends an
    executemany as one) is one round trip, counted at its sync."""
    import psycopg.pq as pq

    if pq.__impl__ != "python":
        raise SystemExit("set PSYCOPG_IMPL=python (the C wrapper's calls cannot be counted)")
    prepared: dict = {}

    def first_word(command) -> str:
        text = command.decode() if isinstance(command, bytes) else str(command)
        return (text.split() or [";"])[0].upper()

    for name in SENDING:
        original = getattr(pq.PGconn, name)

        def counted(self, command, *args, _original=original, _name=name, **kwargs):
            if _name == "send_prepare":
                prepared[command] = first_word(args[0])
            elif self.pipeline_status == pq.PipelineStatus.OFF:
                sent.append(prepared.get(command, "?") if _name.endswith("prepared") else first_word(command))
            return _original(self, command, *args, **kwargs)

        setattr(pq.PGconn, name, counted)
    original_sync = pq.PGconn.pipeline_sync

    def synced(self):
        sent.append("PIPELINE")
        return original_sync(self)

    pq.PGconn.pipeline_sync = synced


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--journeys", type=int, default=20)
    args = parser.parse_args()
    live_server.OUT.mkdir(parents=True, exist_ok=True)
    live_server.reset_database(args.database_url)
    token, _ = live_server.open_campaign(args.database_url)

    from surveyapp import create_app

    app = create_app({"DATABASE_URL": args.database_url, "SECRET_KEY": live_server.SECRET, "PROXY_FIX": 1,
                      "INSTANCE_PATH": str(live_server.OUT / "instance")})
    sent: list = []
    count_queries(sent)
    per_request: dict = defaultdict(Counter)
    inner = app.wsgi_app

    def counted(environ, start_response):
        before = len(sent)
        try:
            return list(inner(environ, start_response))
        finally:
            label = f"{environ['REQUEST_METHOD']:<4} request {counted.number % 10 + 1:>2}"
            per_request[label].update(sent[before:])
            counted.number += 1

    counted.number = 0
    app.wsgi_app = counted
    client = app.test_client()
    start = f"/s/{token}/answer"
    journey(client, start, "10.9.0.1", defaultdict(list))  # warm: the questionnaire and token read once
    sent.clear()
    per_request.clear()
    counted.number = 0
    for i in range(args.journeys):
        journey(client, start, f"10.8.{i // 250}.{i % 250 + 1}", defaultdict(list))
    total = sum(sum(c.values()) for c in per_request.values()) / args.journeys
    print(f"round trips to the database per journey: {total:.1f}  ({args.journeys} journeys)")
    for label in sorted(per_request, key=lambda n: int(n.split()[-1])):
        kinds = per_request[label]
        words = ", ".join(f"{word} {n / args.journeys:g}" for word, n in kinds.most_common())
        print(f"  {label}: {sum(kinds.values()) / args.journeys:4.1f}  ({words})")
    print(f"(PSYCOPG_IMPL={os.environ.get('PSYCOPG_IMPL')})")


if __name__ == "__main__":
    main()
