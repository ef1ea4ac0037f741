"""Nothing acknowledged is lost or doubled when gunicorn's workers and master are killed with
SIGKILL under load; and 20 parallel posts from one device store one answer.

    PYTHONPATH=. .venv/bin/python bench/kill9_bench.py --database-url sqlite:///bench/out/kill9.sqlite
    PYTHONPATH=. .venv/bin/python bench/kill9_bench.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/DB

Kill test: ``--phones`` threads each keep answering as new phones (GET the form, POST it) for
``--seconds``; every ``--every`` seconds one worker gets SIGKILL, and half-way through the
master does (its workers go with it) and gunicorn is started again on the same port. An answer
is acknowledged when the POST is answered with the redirect to the thank-you page. At the end
the acknowledged answers are compared with the rows stored.

Parallel test: ``--devices`` phones each load the form once and send it 20 times at once.
"""
from __future__ import annotations

import argparse
import os
import random
import signal
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.live_server import (OUT, Phone, count_rows, device_hash_of, device_rows, open_campaign,  # noqa: E402
                               reset_database, settings, start_gunicorn, stop)


def workers_of(master_pid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master_pid:
                pids.append(int(entry.name))
    return pids


def kill_test(url: str, port: int, phones: int, seconds: float, every: float) -> None:
    reset_database(url)
    token, campaign_id = open_campaign(url)
    env = {**os.environ, **settings(url, SUBMIT_RATE_LIMIT="1000000 per minute"), "PYTHONPATH": str(Path.cwd())}
    base = f"http://127.0.0.1:{port}"
    server = {"process": start_gunicorn(env, port, 4)}
    acknowledged = 0
    errors = 0
    acknowledged_devices: list[str] = []
    lock = threading.Lock()
    stop_at = time.time() + seconds

    def load():
        nonlocal acknowledged, errors
        while time.time() < stop_at:
            phone = Phone(base, token, timeout=120)
            try:
                status = phone.submit(phone.form())
            except Exception:  # noqa: BLE001 - connection refused or reset while a process died
                status = None
            with lock:
                if status == 302:
                    acknowledged += 1
                    acknowledged_devices.append(phone.device())
                elif status != 200:
                    errors += 1

    threads = [threading.Thread(target=load) for _ in range(phones)]
    for thread in threads:
        thread.start()
    kills = {"worker": 0, "master": 0}
    orphans: list[int] = []  # process groups of killed masters (their workers exit by themselves)
    master_killed = False
    while time.time() < stop_at - every:
        time.sleep(every)
        process = server["process"]
        if not master_killed and time.time() > stop_at - seconds / 2:
            orphans.append(process.pid)
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
            kills["master"] += 1
            master_killed = True
            time.sleep(1)  # the orphaned workers notice their master is gone and exit
            server["process"] = start_gunicorn(env, port, 4)
            continue
        victims = workers_of(process.pid)
        if victims:
            os.kill(random.choice(victims), signal.SIGKILL)
            kills["worker"] += 1
    for thread in threads:
        thread.join()
    stop(server["process"])
    for group in orphans:
        try:
            os.killpg(group, signal.SIGKILL)
        except ProcessLookupError:
            pass
    rows = count_rows(url, campaign_id)
    stored = device_rows(url, campaign_id)
    lost = sum(1 for device in acknowledged_devices if stored.get(device_hash_of(campaign_id, device), 0) == 0)
    doubled = sum(1 for n in stored.values() if n > 1)
    print(f"kill -9 under load ({phones} phones, {seconds:.0f} s, {kills['worker']} workers and "
          f"{kills['master']} master killed): acknowledged {acknowledged}, rows {rows}; acknowledged but not "
          f"stored {lost}; devices stored twice {doubled}; stored but not acknowledged {rows - acknowledged + lost} "
          f"(the answer was written but the phone never got the reply: its request was cut or timed out; "
          f"failed or timed-out requests {errors})")


def parallel_test(url: str, port: int, devices: int, posts: int) -> None:
    reset_database(url)
    token, campaign_id = open_campaign(url)
    env = {**os.environ, **settings(url, SUBMIT_RATE_LIMIT="1000000 per minute"), "PYTHONPATH": str(Path.cwd())}
    process = start_gunicorn(env, port, 4)
    try:
        results = []
        for _ in range(devices):
            phone = Phone(f"http://127.0.0.1:{port}", token, timeout=60)
            csrf = phone.form()
            barrier = threading.Barrier(posts)

            def send():
                barrier.wait()
                return phone.submit(csrf)

            with ThreadPoolExecutor(posts) as pool:
                codes = list(pool.map(lambda _: send(), range(posts)))
            results.append(codes.count(302))
    finally:
        stop(process)
    rows = count_rows(url, campaign_id)
    print(f"{posts} parallel posts from each of {devices} devices: acknowledged per device {results}, "
          f"rows {rows} (one per device: {'yes' if rows == devices else 'NO'})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=f"sqlite:///{OUT / 'kill9.sqlite'}")
    parser.add_argument("--port", type=int, default=8110)
    parser.add_argument("--phones", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--every", type=float, default=3)
    parser.add_argument("--devices", type=int, default=5)
    parser.add_argument("--posts", type=int, default=20)
    parser.add_argument("--only", choices=("kill", "parallel"))
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"database: {args.database_url.split('@')[-1]}")
    if args.only != "parallel":
        kill_test(args.database_url, args.port, args.phones, args.seconds, args.every)
    if args.only != "kill":
        url = args.database_url
        if url.startswith("sqlite:///"):  # a file of its own, away from the killed processes' WAL
            url = url.removesuffix(".sqlite") + "-parallel.sqlite"
        parallel_test(url, args.port + 1, args.devices, args.posts)


if __name__ == "__main__":
    main()
