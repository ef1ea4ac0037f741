"""Weight of the resident's form: bytes of each page as sent, plain and compressed.

Prints, for the notice, every step of the real resident questionnaire and the CSS/JS, the
body size without compression, with gzip and with brotli (what a browser that accepts them
gets), and the first screen of the form (step 1 + CSS + JS) in gzip.

    PYTHONPATH=$PWD python bench/form_weight.py
"""
from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    from sqlmodel import Session

    from surveyapp import create_app
    from surveyapp.db import get_engine
    from surveyapp.migrations import upgrade_database
    from tests.helpers import PROJECT_QUESTIONNAIRES, form_fields, make_campaign, make_circle

    folder = tempfile.mkdtemp()
    app = create_app({"SECRET_KEY": "bench-" + "x" * 20, "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite",
                      "INSTANCE_PATH": folder, "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade_database(get_engine())
        with Session(get_engine(), expire_on_commit=False) as db:
            campaign = make_campaign(db, make_circle(db), PROJECT_QUESTIONNAIRES / "resident.yaml")
    client = app.test_client()

    def sizes(path):
        out = []
        for encoding in ("identity", "gzip", "br"):
            response = client.get(path, headers={"Accept-Encoding": encoding})
            out.append(len(response.get_data()))
            response.close()
        return out

    answers = {"q_community": "东社区", "q_age_band": "a60_69", "q_years_lived": "y3_10", "q_business_overall": "4",
               "q_service_overall": "4"}
    rows = [("notice", f"/s/{campaign.token}")]
    url = f"/s/{campaign.token}/answer"
    page = client.get(url)
    for step in range(5):
        rows.append((f"step {step + 1}", f"{url}?step={step}"))
        if step < 4:
            location = client.post(url, data={**answers, **form_fields(page.get_data(as_text=True))}).headers["Location"]
            page = client.get(location)
    rows += [("survey.css", "/static/survey.css"), ("survey.js", "/static/survey.js")]
    print(f"{'page':12} {'plain':>8} {'gzip':>8} {'br':>8}")
    figures = {}
    for name, path in rows:
        figures[name] = sizes(path)
        print(f"{name:12} {figures[name][0]:8d} {figures[name][1]:8d} {figures[name][2]:8d}")
    first = sum(figures[n][1] for n in ("step 1", "survey.css", "survey.js"))
    print(f"first screen of the form (step 1 + CSS + JS), gzip bodies: {first} bytes")
    html = client.get(f"{url}?step=0").get_data(as_text=True)
    print("external references in step 1:", re.findall(r'(?:src|href)="(https?://[^"]+)"', html) or "none")


if __name__ == "__main__":
    main()
