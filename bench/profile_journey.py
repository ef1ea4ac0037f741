"""Profile of the resident's journey through the test client (no server, no network).

    .venv/bin/python bench/profile_journey.py                 # 200 journeys, top 40 by own time
    .venv/bin/python bench/profile_journey.py --journeys 50 --sort cumulative --top 60
    .venv/bin/python bench/profile_journey.py --cpu --database-url postgresql+psycopg://...   # CPU, not waits
    .venv/bin/python bench/profile_journey.py --cpu --callers 'local.py.*__get__'         # who calls it

Prints the mean milliseconds per GET and per POST of each step, then a cProfile of the
timed journeys (after a few for warm-up) on a SQLite file under bench/out/.
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import live_server  # noqa: E402
from bench.journey import ANSWERS, CSRF, FIELD, KEY, STEP  # noqa: E402


def journey(client, start: str, address: str, times: dict) -> None:
    client._cookies.clear()
    path = start
    headers = {"X-Forwarded-For": address}
    for _ in range(12):
        began = time.perf_counter()
        page = client.get(path, headers=headers).get_data(as_text=True)
        step = STEP.search(page).group(1)
        times[f"GET  step {step}"].append(time.perf_counter() - began)
        data = {"csrf_token": CSRF.search(page).group(1), "submission_key": KEY.search(page).group(1),
                "step": step, "js": "1", "nav": "next"}
        for name in set(FIELD.findall(page)):
            if name in ANSWERS:
                data[name] = ANSWERS[name]
        began = time.perf_counter()
        response = client.post(start, data=data, headers=headers)
        times[f"POST step {step}"].append(time.perf_counter() - began)
        assert response.status_code == 303, response.status_code
        location = response.headers["Location"]
        if "step=" not in location:
            return
        parts = urllib.parse.urlsplit(location)
        path = f"{parts.path}?{parts.query}"
    raise AssertionError("no end")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--journeys", type=int, default=200)
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--cpu", action="store_true",
                        help="profile CPU time (time.process_time), leaving out waits for the database")
    parser.add_argument("--callers", default=None, metavar="PATTERN",
                        help="also print who calls the functions matching PATTERN (a regular expression)")
    args = parser.parse_args()
    live_server.OUT.mkdir(parents=True, exist_ok=True)
    url = args.database_url or "sqlite:///" + str(live_server.OUT / "profile.sqlite")
    live_server.reset_database(url)
    token, _ = live_server.open_campaign(url)

    from surveyapp import create_app

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": live_server.SECRET, "PROXY_FIX": 1,
                      "INSTANCE_PATH": str(live_server.OUT / "instance")})
    profile = cProfile.Profile(time.process_time) if args.cpu else cProfile.Profile()
    inner = app.wsgi_app

    def profiled(environ, start_response):
        """Only the app's own work is profiled, not the test client's."""
        if not profiling:
            return inner(environ, start_response)
        profile.enable()
        try:
            return list(inner(environ, start_response))
        finally:
            profile.disable()

    profiling = False
    app.wsgi_app = profiled
    client = app.test_client()
    start = f"/s/{token}/answer"
    warm: dict = defaultdict(list)
    for i in range(5):
        journey(client, start, f"10.9.0.{i + 1}", warm)
    times: dict = defaultdict(list)
    began = time.perf_counter()
    for i in range(args.journeys):
        journey(client, start, f"10.{i // 250 % 250}.{i % 250}.1", times)
    total = time.perf_counter() - began
    print(f"{args.journeys} journeys, {1000 * total / args.journeys:.1f} ms each through the test client, no profiler")
    for name in sorted(times, key=lambda n: (n[-1], n)):
        print(f"  {name}: {1000 * sum(times[name]) / len(times[name]):.2f} ms")
    profiling = True
    times.clear()
    for i in range(args.journeys):
        journey(client, start, f"10.{i // 250 % 250 + 100}.{i % 250}.1", times)
    print("under the profiler (the app only, not the test client):")
    for name in sorted(times, key=lambda n: (n[-1], n)):
        print(f"  {name}: {1000 * sum(times[name]) / len(times[name]):.2f} ms")
    stats = pstats.Stats(profile).sort_stats(args.sort)
    stats.print_stats(args.top)
    if args.callers:
        stats.print_callers(args.callers)


if __name__ == "__main__":
    main()
