"""Time and peak memory of a full campaign summary for 600, 20,000 and 1,000,000 stored
responses (synthetic resident answers in the database).

    .venv/bin/python bench/summary_bench.py                      # SQLite files under bench/out/
    .venv/bin/python bench/summary_bench.py --sizes 600 20000
    .venv/bin/python bench/summary_bench.py --database-url postgresql+psycopg://postgres@127.0.0.1/bench

Each size is loaded once (reused on later runs for SQLite); the summary is then computed in
a fresh process, so the peak resident memory printed is that of the summary alone (plus the
interpreter and libraries, printed as the baseline).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"


def _app(url: str):
    from surveyapp import create_app

    return create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(OUT / "instance"), "SECRET_KEY": "bench"})


def load(url: str, size: int) -> int:
    """Create a circle and a campaign with ``size`` synthetic responses; returns the campaign id."""
    from sqlalchemy import insert

    from surveyapp.db import get_engine, session_scope
    from surveyapp.demo.seed import DEMO_COMMUNITIES
    from surveyapp.demo.synthetic import generate
    from surveyapp.migrations import upgrade_database
    from surveyapp.models import CircleCreate, CommunityCreate, Response
    from surveyapp.questionnaire.registry import current_questionnaire
    from surveyapp.campaigns.operations import open_campaign
    from surveyapp.circles.operations import create_circle
    from surveyapp.responses import quality, tallies

    app = _app(url)
    with app.app_context():
        upgrade_database(get_engine())
        questionnaire = current_questionnaire("resident")
        with session_scope() as session:
            population = max(size * 30, 20000)  # the 3% rule is met: required = 0.9 × size
            circle = create_circle(session, CircleCreate(
                name=f"基准生活圈 {size}", population=population,
                communities=[CommunityCreate(name=n, population=p) for n, p in DEMO_COMMUNITIES]))
            campaign = open_campaign(session, circle, questionnaire)
            # A pool of realistic answer sets, reused: generating a million is the slow part.
            pool = generate(questionnaire, DEMO_COMMUNITIES, min(size, 5000), incomplete=min(size // 50, 100))
            rng = random.Random(7)
            start = datetime(2026, 11, 1, tzinfo=timezone.utc)
            counts = {}
            rows = []
            for i in range(size):
                item = pool[rng.randrange(len(pool))]
                online = i % 9 != 0
                finished = start + timedelta(seconds=i)
                duration = int((item.finished_at - item.started_at).total_seconds()) if online else None
                row = {
                    "campaign_id": campaign.id, "questionnaire": questionnaire.name,
                    "questionnaire_version": questionnaire.version, "questionnaire_hash": questionnaire.content_hash,
                    "channel": "qr" if online else "paper", "device_hash": f"{i:064x}" if online else None,
                    "device_slot": 1 if online else None,
                    "serial": None if online else f"P{i}", "started_at": finished - timedelta(seconds=duration) if online else None,
                    "finished_at": finished, "duration_seconds": duration, "answers": item.answers,
                    "complete": item.complete, "community": item.answers.get("community"),
                    "straightlining": quality.is_straightlining(questionnaire, item.answers),
                    "duplicate_of": None, "exclusion": quality.static_exclusion(questionnaire, item.answers, item.complete),
                    "speed_exempt": False, "created_at": finished,
                }
                rows.append(row)
                for key in tallies.tally_keys(questionnaire, SimpleNamespace(**row)):
                    counts[key] = counts.get(key, 0) + 1
                if len(rows) == 20000:
                    session.execute(insert(Response), rows)
                    rows = []
            if rows:
                session.execute(insert(Response), rows)
            from collections import Counter

            tallies.apply(session, campaign.id, Counter(counts))
            session.commit()
            return campaign.id


def measure(url: str, campaign_id: int) -> dict:
    from surveyapp.db import session_scope
    from surveyapp.models import Campaign
    from surveyapp.results.service import summary_for

    app = _app(url)
    with app.app_context():
        baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        with session_scope() as session:
            campaign = session.get(Campaign, campaign_id)
            timings = {}
            # First call in a fresh process (cold: SQL compilation, lazy imports), then the
            # best of three in a warm process, as a server answers.
            for detail in (False, True):
                name = "full" if detail else "contract"
                for attempt in range(4):
                    session.expire_all()
                    began = time.perf_counter()
                    document = summary_for(session, campaign, detail=detail)
                    elapsed = time.perf_counter() - began
                    if attempt == 0:
                        timings[name + "_cold"] = elapsed
                    else:
                        timings[name] = min(timings.get(name, elapsed), elapsed)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"valid": document["sample"]["valid"], "seconds": timings,
            "baseline_mib": baseline / 1024, "peak_mib": peak / 1024,
            "pattern_rows": document["patterns"]["rows"]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[600, 20000, 1_000_000])
    parser.add_argument("--database-url")
    parser.add_argument("--measure", nargs=2, metavar=("URL", "CAMPAIGN"))
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure[0], int(args.measure[1]))))
        return
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"{'responses':>10} {'load s':>8} {'contract s':>11} {'full s':>8} {'cold full s':>12} {'peak MiB':>9} "
          f"{'baseline MiB':>13} {'pattern rows':>13}")
    for size in args.sizes:
        url = args.database_url
        marker = None
        if url is None:
            path = OUT / f"summary-{size}.sqlite"
            url = f"sqlite:///{path}"
            marker = OUT / f"summary-{size}.campaign"
        load_seconds = 0.0
        if marker is not None and marker.exists():
            campaign_id = int(marker.read_text())
        else:
            began = time.perf_counter()
            campaign_id = load(url, size)
            load_seconds = time.perf_counter() - began
            if marker is not None:
                marker.write_text(str(campaign_id))
        result = json.loads(subprocess.run(
            [sys.executable, __file__, "--measure", url, str(campaign_id)],
            check=True, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
        ).stdout.strip().splitlines()[-1])
        print(f"{size:>10} {load_seconds:>8.1f} {result['seconds']['contract']:>11.3f} {result['seconds']['full']:>8.3f} "
              f"{result['seconds']['contract_cold'] + result['seconds']['full_cold']:>12.3f} "
              f"{result['peak_mib']:>9.0f} {result['baseline_mib']:>13.0f} {result['pattern_rows']:>13}")


if __name__ == "__main__":
    main()
