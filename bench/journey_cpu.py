"""CPU per resident journey, surveyapp against the lean reference, in one process (no server):
a quick check of a change before the load benchmark (bench/journey_bench.py).

    .venv/bin/python bench/journey_cpu.py [--journeys 100] [--rounds 3]

Both apps are driven through Flask's test client (its own cost is in both figures) on SQLite
files under bench/out/, alternately, round after round; printed: the process CPU per journey
of each and their ratio (reference / surveyapp, the share of the lean bound reached).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import live_server  # noqa: E402
from bench.profile_journey import journey  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--journeys", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    live_server.OUT.mkdir(parents=True, exist_ok=True)
    url = "sqlite:///" + str(live_server.OUT / "journey-cpu.sqlite")
    ref_path = live_server.OUT / "journey-cpu-ref.sqlite"
    live_server.reset_database(url)
    live_server.reset_database("sqlite:///" + str(ref_path))
    token, _ = live_server.open_campaign(url)
    os.environ["REFERENCE_DATABASE_URL"] = "sqlite:///" + str(ref_path)

    from bench.reference_app import create_app as reference_app
    from surveyapp import create_app

    ours = create_app({"DATABASE_URL": url, "SECRET_KEY": live_server.SECRET, "PROXY_FIX": 1,
                       "INSTANCE_PATH": str(live_server.OUT / "instance")})
    apps = {"reference": (reference_app().test_client(), "/r/answer"),
            "surveyapp": (ours.test_client(), f"/s/{token}/answer")}
    cpu: dict = defaultdict(list)
    times: dict = defaultdict(list)
    for name, (client, start) in apps.items():
        for i in range(5):
            journey(client, start, f"10.250.0.{i + 1}", times)
    for round_no in range(args.rounds):
        for name, (client, start) in apps.items():
            began = time.process_time()
            for i in range(args.journeys):
                journey(client, start, f"10.{round_no}.{i // 250}.{i % 250 + 1}", times)
            cpu[name].append((time.process_time() - began) / args.journeys)
    reference, app = (statistics.median(cpu[n]) for n in ("reference", "surveyapp"))
    print(f"CPU per journey (5 GET + 5 POST, test client included): reference {1000 * reference:.1f} ms, "
          f"surveyapp {1000 * app:.1f} ms, ratio {reference / app:.2f}  (load {os.getloadavg()[0]:.2f})")


if __name__ == "__main__":
    main()
