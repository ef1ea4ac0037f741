"""Time of the city overview (the assessor's home page) for a city of 60 circles with
600–20,000 stored responses each, and of its XLSX and PDF exports.

    .venv/bin/python bench/city_overview_bench.py                   # SQLite file under bench/out/
    .venv/bin/python bench/city_overview_bench.py --database-url postgresql+psycopg://postgres@127.0.0.1/bench

The city is built once (responses inserted in bulk with their answer tallies, as the
product stores them; a third of the circles get a draft evaluation round) and reused on
later runs against the same database. The page is then requested through the app as a
signed-in admin (who sees all 60 circles): the first request (cold) and the best of five.
"""
from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
CIRCLES = 60
SMALLEST, LARGEST = 600, 20_000
PASSWORD = "bench-pass-123"


def _app(url: str):
    from surveyapp import create_app

    return create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(OUT / "instance"), "SECRET_KEY": "bench",
                       "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})


def sizes() -> list[int]:
    """60 sizes spread geometrically from 600 to 20,000 responses."""
    ratio = (LARGEST / SMALLEST) ** (1 / (CIRCLES - 1))
    return [round(SMALLEST * ratio ** i) for i in range(CIRCLES)]


def build(app) -> int:
    """The city (once); returns the number of responses stored."""
    from sqlalchemy import func
    from sqlmodel import select

    from surveyapp.auth.users import create_user
    from surveyapp.campaigns.operations import open_campaign
    from surveyapp.circles.operations import create_circle
    from surveyapp.db import get_engine, session_scope
    from surveyapp.demo.seed import DEMO_COMMUNITIES
    from surveyapp.demo.synthetic import generate
    from surveyapp.evaluation.operations import open_evaluation
    from surveyapp.evaluation.registry import current_rules
    from surveyapp.migrations import upgrade_database
    from surveyapp.models import AnswerTally, Circle, CircleCreate, CommunityCreate, Response, User
    from surveyapp.questionnaire.registry import current_questionnaire
    from surveyapp.responses import quality, tallies

    with app.app_context():
        upgrade_database(get_engine())
        with session_scope() as session:
            if session.exec(select(func.count()).select_from(Circle)).one() >= CIRCLES:
                return session.exec(select(func.count()).select_from(Response)).one()
            if session.exec(select(User).where(User.username == "bench-admin")).first() is None:
                create_user(session, "bench-admin", PASSWORD, "admin")
            questionnaire = current_questionnaire("resident")
            rules = current_rules(app.config["DEFAULT_RULES"])
            pool = generate(questionnaire, DEMO_COMMUNITIES, 600, incomplete=12)
            # What the quality rules say of each pooled answer set, worked out once.
            facts = [(quality.is_straightlining(questionnaire, item.answers),
                      quality.static_exclusion(questionnaire, item.answers, item.complete)) for item in pool]
            rng = random.Random(12)
            now = datetime.now(timezone.utc)
            total = 0
            for number, size in enumerate(sizes(), start=1):
                # Populations around the 3% rule: some circles met, some short.
                population = int(size / 0.03 * rng.choice((0.7, 0.9, 1.1, 1.4)))
                circle = create_circle(session, CircleCreate(
                    name=f"第{number:02d}生活圈", population=population, city_tier=rng.choice((1, 2, 3)),
                    communities=[CommunityCreate(name=n, population=p) for n, p in DEMO_COMMUNITIES]))
                campaign = open_campaign(session, circle, questionnaire, opens_at=now - timedelta(days=20),
                                         closes_at=now + timedelta(days=rng.randrange(-5, 25)))
                counts: Counter = Counter()
                rows = []
                connection = session.connection()
                for i in range(size):
                    index = rng.randrange(len(pool))
                    item = pool[index]
                    online = i % 9 != 0
                    finished = now - timedelta(days=10, seconds=i)
                    duration = int((item.finished_at - item.started_at).total_seconds()) if online else None
                    row = {
                        "campaign_id": campaign.id, "questionnaire": questionnaire.name,
                        "questionnaire_version": questionnaire.version,
                        "questionnaire_hash": questionnaire.content_hash,
                        "channel": "qr" if online else "paper", "device_hash": f"{number:04x}{i:060x}" if online else None,
                        "serial": None if online else f"P{i}",
                        "started_at": finished - timedelta(seconds=duration) if online else None,
                        "finished_at": finished, "duration_seconds": duration, "answers": item.answers,
                        "complete": item.complete, "community": item.answers.get("community"),
                        "straightlining": facts[index][0], "duplicate_of": None, "exclusion": facts[index][1],
                        "speed_exempt": False, "created_at": finished, "device_slot": 1 if online else None,
                    }
                    rows.append(row)
                    counts.update(tallies.tally_keys(questionnaire, SimpleNamespace(**row)))
                    if len(rows) == 10_000:
                        connection.execute(Response.__table__.insert(), rows)
                        rows = []
                if rows:
                    connection.execute(Response.__table__.insert(), rows)
                # A new campaign has no tallies yet: plain rows equal what tallies.apply's
                # upserts would leave, written far faster (executemany).
                connection.execute(AnswerTally.__table__.insert(), [
                    {"campaign_id": campaign.id, "question": q, "code": c, "group_question": gq, "group_value": gv,
                     "duration": d, "n": n} for (q, c, gq, gv, d), n in counts.items() if n])
                if number % 3 == 0:
                    open_evaluation(session, circle, rules, campaign)
                session.commit()
                total += size
                print(f"  built {circle.name}: {size:>6} responses", flush=True)
            return total


def measure(app) -> dict:
    client = app.test_client()
    response = client.post("/staff/login", data={"username": "bench-admin", "password": PASSWORD})
    assert response.status_code == 302, "could not sign in"
    timings = {}
    for name, path in (("page", "/staff/"), ("page sorted by 服务满意", "/staff/?sort=service&order=desc"),
                       ("xlsx", "/staff/overview.xlsx"), ("pdf", "/staff/overview.pdf")):
        runs = 1 if name == "pdf" else 6
        seen = []
        for _ in range(runs):
            began = time.perf_counter()
            response = client.get(path)
            seen.append(time.perf_counter() - began)
            assert response.status_code == 200, (path, response.status_code)
        timings[name] = (seen[0], min(seen[1:]) if len(seen) > 1 else None, len(response.data))
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    url = args.database_url or f"sqlite:///{OUT / 'city_overview.sqlite'}"
    app = _app(url)
    began = time.perf_counter()
    total = build(app)
    print(f"city: {CIRCLES} circles, {SMALLEST:,}–{LARGEST:,} responses each, {total:,} in all "
          f"(ready in {time.perf_counter() - began:.1f} s)")
    print(f"database: {app.config['DATABASE_URL'].split('@')[-1]}")
    print(f"{'request':<28} {'first s':>8} {'best of 5 s':>12} {'bytes':>10}")
    for name, (first, best, size) in measure(app).items():
        print(f"{name:<28} {first:>8.3f} {('%.3f' % best) if best is not None else '—':>12} {size:>10,}")


if __name__ == "__main__":
    main()
