"""Weight of the circle's public page (/c/<id>) on a phone, before any tile: the HTML as sent
(gzip and not) plus its one stylesheet, for circles of 50, 120 and 225 listed outlets.

    PYTHONPATH=$PWD .venv/bin/python bench/circlepage_size.py

Prints figures; asserts nothing (tests/test_circlepage.py checks the 50 KB bar at 225 outlets).
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from sqlmodel import Session, select

from surveyapp import create_app
from surveyapp.db import get_engine
from surveyapp.geo import GeoPoint
from surveyapp.geo.distance import offset
from surveyapp.locations.operations import add_point
from surveyapp.merchants.synthetic import generate
from surveyapp.migrations import upgrade_database
from surveyapp.models import Community
from surveyapp.questionnaire import validate_answers
from surveyapp.questionnaire.registry import current_questionnaire
from surveyapp.responses.operations import NewResponse, record_many

ROOT = Path(__file__).resolve().parent.parent


def measure(count: int) -> tuple[int, int, int]:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "INSTANCE_PATH": folder,
                          "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite"})
        with app.app_context():
            upgrade_database(get_engine())
            from tests.helpers import make_campaign, make_circle

            with Session(get_engine(), expire_on_commit=False) as db:
                circle = make_circle(db)
                campaign = make_campaign(db, circle, ROOT / "questionnaires" / "merchant.yaml")
                home = GeoPoint(39.9, 116.4)
                for community in db.exec(select(Community)):
                    add_point(db, community, offset(home, 90 * community.id, 400))
                questionnaire = current_questionnaire("merchant")
                items = []
                for index, (_channel, answers) in enumerate(generate(count)[:count]):
                    answers = dict(answers, public_listing="yes")
                    point = offset(home, (index * 47) % 360, 100 + (index * 37) % 900)
                    answers["outlet_location"] = f"{point.lat} {point.lon} 0 10"
                    clean, errors = validate_answers(questionnaire, answers)
                    assert not errors, errors
                    items.append(NewResponse(answers=clean, channel="qr"))
                record_many(db, campaign, questionnaire, items)
                circle_id = circle.id
        client = app.test_client()
        raw = client.get(f"/c/{circle_id}").get_data()
        zipped = client.get(f"/c/{circle_id}", headers={"Accept-Encoding": "gzip"}).get_data()
        css = client.get("/static/circlepage.css")
        css_bytes = len(css.get_data())
        css.close()
        get_engine_dispose(app)
        return len(raw), len(zipped), css_bytes


def get_engine_dispose(app) -> None:
    with app.app_context():
        get_engine().dispose()


if __name__ == "__main__":
    print(f"{'outlets':>8} {'html raw':>10} {'html gzip':>10} {'css':>6} {'sent (gzip+css)':>16}")
    for n in (50, 120, 225):
        raw, zipped, css = measure(n)
        print(f"{n:>8} {raw / 1024:>8.1f}KB {zipped / 1024:>8.1f}KB {css / 1024:>4.1f}KB {(zipped + css) / 1024:>14.1f}KB")
