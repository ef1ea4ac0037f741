"""A city at once: import a list of 60 circles, open 60 resident surveys, print their posters.

Runs the browser path through the app (test client, a fresh database): upload the XLSX (check),
confirm (store), open the batch, download the posters PDF (one A4 page per circle) and the QR
ZIP. The issue's bars: the list imports in under 2 s; the posters render in under 20 s.

    .venv/bin/python bench/city_scale_bench.py [--circles 60] [--database-url URL] [--out DIR]

Without --database-url a temporary SQLite file is used; with a PostgreSQL URL its schema is
dropped and migrated first (give it a database of its own). Prints the figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import io
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DISTRICTS = ("和平", "河西", "南开", "河东", "红桥", "河北", "东丽", "西青", "津南", "北辰")


def city_list(count: int) -> bytes:
    """The template filled with ``count`` circles of 2–4 communities each, with age structures."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["生活圈名称", "服务人口", "城市等级", "社区及人口", "地址", "备注", "18–29岁占比（%）", "30–44岁占比（%）",
                  "45–59岁占比（%）", "60–69岁占比（%）", "70岁及以上占比（%）"])
    for index in range(count):
        district = DISTRICTS[index % len(DISTRICTS)]
        parts = 2 + index % 3
        population = 12000 + (index * 733) % 30000
        share = population // parts
        communities = "；".join(f"{district}{index + 1}-{p + 1}社区={share}" for p in range(parts))
        sheet.append([f"{district}区第{index + 1}生活圈", population, 2, communities, f"示例市{district}区",
                      "人口为 2025 年街道统计", 17, 27, 25, 17, 14])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--circles", type=int, default=60)
    parser.add_argument("--database-url")
    parser.add_argument("--out", type=Path, help="keep the posters PDF and the QR ZIP here")
    args = parser.parse_args()

    from sqlalchemy import create_engine, text

    from surveyapp import create_app
    from surveyapp.auth.users import create_user
    from surveyapp.db import get_engine, session_scope
    from surveyapp.migrations import upgrade_database

    folder = Path(tempfile.mkdtemp(prefix="city-bench-"))
    url = args.database_url or f"sqlite:///{folder / 'bench.sqlite'}"
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    app = create_app({"SECRET_KEY": "bench-secret-key-bench-secret-key", "DATABASE_URL": url, "TESTING": True,
                      "INSTANCE_PATH": str(folder / "instance"), "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False, "BASE_URL": "https://survey.example.cn"})
    with app.app_context():
        upgrade_database(get_engine())
        with session_scope() as session:
            create_user(session, "firm", "firm-pass-123", "assessor", "示例评价机构")
    client = app.test_client()
    client.post("/staff/login", data={"username": "firm", "password": "firm-pass-123"})
    content = city_list(args.circles)
    print(f"city list: {args.circles} circles, {len(content):,} bytes XLSX; database {url.split(':')[0]}")

    started = time.perf_counter()
    page = client.post("/staff/circles/import", data={"file": (io.BytesIO(content), "city.xlsx")},
                       content_type="multipart/form-data")
    checked = time.perf_counter()
    html = page.get_data(as_text=True)
    assert "检查通过" in html, html[:2000]
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', html).group(1)
    stored = client.post("/staff/circles/import/confirm", data={"token": token, "file_name": "city.xlsx"})
    done = time.perf_counter()
    assert stored.status_code == 302
    print(f"import: check {checked - started:.2f} s + confirm (check again, store) {done - checked:.2f} s "
          f"= {done - started:.2f} s for {args.circles} circles (bar: under 2 s)")

    circle_ids = re.findall(r"circle=(\d+)", stored.headers["Location"])
    started = time.perf_counter()
    opened = client.post("/staff/campaigns/new", data={"questionnaire": "resident", "circles": circle_ids,
                                                       "opens_on": "2026-12-01", "closes_on": "2026-12-31"})
    batch_url = opened.headers["Location"]
    print(f"open {len(circle_ids)} resident surveys at once: {time.perf_counter() - started:.2f} s")
    query = batch_url.split("?", 1)[1]

    started = time.perf_counter()
    pdf = client.get(f"/staff/campaigns/posters.pdf?{query}").data
    elapsed = time.perf_counter() - started
    pages = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    count = re.search(r"Pages:\s+(\d+)", pages).group(1)
    print(f"posters PDF: {elapsed:.2f} s, {count} pages, {len(pdf) / 1e6:.2f} MB (bar: under 20 s)")
    started = time.perf_counter()
    archive = client.get(f"/staff/campaigns/qr.zip?{query}").data
    print(f"QR ZIP: {time.perf_counter() - started:.2f} s, {len(archive) / 1e6:.2f} MB")
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "posters.pdf").write_bytes(pdf)
        (args.out / "qr.zip").write_bytes(archive)
        print(f"written to {args.out}")


if __name__ == "__main__":
    main()
