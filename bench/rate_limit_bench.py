"""How many answers a minute one address gets stored through gunicorn with 4 workers, with the
limit store shared in Redis (production) and, for comparison, per process (memory://).

    .venv/bin/python bench/rate_limit_bench.py [--redis redis://127.0.0.1:6379/5] [--port 8101]

Each run opens a fresh SQLite campaign, then one address (X-Forwarded-For, one trusted proxy)
sends 80 answers from 80 phones within the minute; the limit is the default 20 per minute.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.live_server import OUT, Phone, count_rows, gunicorn, open_campaign, reset_database  # noqa: E402


def run(store: str, port: int, attempts: int) -> tuple[int, int, int]:
    url = f"sqlite:///{OUT / f'ratelimit-{port}.sqlite'}"
    reset_database(url)
    token, campaign_id = open_campaign(url)
    # Development mode: production marks cookies Secure, which a plain-HTTP bench cannot send
    # back (production refuses memory:// anyway: tests/test_config.py).
    extra = {"PROXY_FIX": 1, "RATELIMIT_STORAGE_URI": store}
    with gunicorn(url, port, workers=4, **extra):
        phones = [Phone(f"http://127.0.0.1:{port}", token, address="198.51.100.20") for _ in range(attempts)]
        forms = [phone.form() for phone in phones]
        with ThreadPoolExecutor(8) as pool:
            codes = list(pool.map(lambda pair: pair[0].submit(pair[1]), zip(phones, forms)))
    others = sorted({code for code in codes if code not in (302, 429)})
    if others:
        print(f"  (other answers: {others})")
    return codes.count(302), codes.count(429), count_rows(url, campaign_id)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/5")
    parser.add_argument("--port", type=int, default=8101)
    parser.add_argument("--attempts", type=int, default=80)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    subprocess.run(["redis-cli", "-u", args.redis, "FLUSHDB"], check=False, capture_output=True)
    print(f"{args.attempts} answers from one address within a minute, limit 20/minute, gunicorn -w 4")
    for store in (args.redis, "memory://"):
        stored, refused, rows = run(store, args.port, args.attempts)
        print(f"  {store:32s} acknowledged {stored:3d}  refused (429) {refused:3d}  rows {rows:3d}")


if __name__ == "__main__":
    main()
