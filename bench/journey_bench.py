"""The resident submission under load, side by side with the lean Flask reference.

    .venv/bin/python bench/journey_bench.py                                  # SQLite, 2 workers, c=8 and 32
    .venv/bin/python bench/journey_bench.py --workers 4 \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/surveyapp_bench
    .venv/bin/python bench/journey_bench.py --concurrency 8 --seconds 10 --repeats 1

Both apps run under gunicorn (sync workers) at once; each configuration is run as
repetitions of the reference then surveyapp, alternately, so that whatever else loads the
machine weighs on both. A submission is the whole default journey (bench/journey.py: 5
steps, GET + POST each, the last POST acknowledged by a 303 to the thank-you page) in a
closed loop of ``c`` respondents, each a new phone (no cookies, its own address through
X-Forwarded-For, so the submit rate limit stays on and counts per phone).

Printed per run: submissions/s, POST latency p50/p99 (every step's POST, and the storing
POST alone), CPU seconds of the gunicorn workers per submission (and, on PostgreSQL, of the
database server: every process of this machine's PostgreSQL), and rows stored against
acknowledgements (lost = acknowledged but not stored, doubled = stored more than acknowledged).
The PostgreSQL database given is emptied (schema dropped) first.

``--server-drafts`` adds a third app: the reference keeping each phone's answers so far in
the database as surveyapp does (reference_app.py, REFERENCE_DRAFTS=server), so the cost of
that design alone is printed beside surveyapp's.
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import live_server  # noqa: E402
from bench.journey import JourneyError, Phone, walk  # noqa: E402

ROOT = live_server.ROOT
OUT = live_server.OUT
CLIENT_PROCESSES = 2
TICKS = os.sysconf("SC_CLK_TCK")


def _processes():
    """(command name, fields after it) of every process's /proc/PID/stat (see proc(5): ppid is
    fields[1], utime, stime, cutime, cstime are fields[11:15], in clock ticks)."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                name, fields = handle.read().split("(", 1)[1].rsplit(")", 1)
        except OSError:
            continue
        yield name, fields.split()


def worker_cpu(master: int) -> float:
    """CPU seconds (user + system) used so far by the gunicorn workers of ``master``."""
    return sum(int(fields[11]) + int(fields[12]) for _, fields in _processes() if int(fields[1]) == master) / TICKS


def postgres_cpu() -> float:
    """CPU seconds used so far by the PostgreSQL server on this machine (its processes, and the
    backends that have ended, counted in the postmaster's children's time): the database's
    share of a submission, which the workers' CPU leaves out."""
    return sum(sum(int(value) for value in fields[11:15]) for name, fields in _processes() if name == "postgres") / TICKS


def _client(port: int, start: str, threads: int, seconds: float, seed: int, queue) -> None:
    deadline = time.time() + seconds
    lock = threading.Lock()
    result = {"acks": 0, "errors": 0, "posts": [], "last": [], "messages": []}

    def loop(index: int) -> None:
        n = 0
        while time.time() < deadline:
            n += 1
            posts, last = [], []
            phone = Phone(port, f"10.{seed}.{index}.{n % 250 + 1}")
            try:
                walk(phone, start, post_times=posts, last_post_times=last)
                ok = True
            except (JourneyError, OSError) as exc:
                ok = False
                message = str(exc)
            with lock:
                result["posts"].extend(posts)
                result["last"].extend(last)
                if ok:
                    result["acks"] += 1
                else:
                    result["errors"] += 1
                    if len(result["messages"]) < 3:
                        result["messages"].append(message)

    pool = [threading.Thread(target=loop, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    queue.put(result)


def run(port: int, start: str, concurrency: int, seconds: float, run_no: int) -> dict:
    """A closed loop of ``concurrency`` respondents for ``seconds`` (journeys under way finish)."""
    queue = multiprocessing.Queue()
    processes = []
    per = [concurrency // CLIENT_PROCESSES + (1 if i < concurrency % CLIENT_PROCESSES else 0)
           for i in range(CLIENT_PROCESSES)]
    began = time.perf_counter()
    for i, threads in enumerate(per):
        if threads:
            process = multiprocessing.Process(target=_client, args=(port, start, threads, seconds,
                                                                    (run_no * 8 + i) % 250, queue))
            process.start()
            processes.append(process)
    results = [queue.get() for _ in processes]
    for process in processes:
        process.join()
    elapsed = time.perf_counter() - began
    merged = {"acks": sum(r["acks"] for r in results), "errors": sum(r["errors"] for r in results),
              "posts": sorted(t for r in results for t in r["posts"]),
              "last": sorted(t for r in results for t in r["last"]),
              "messages": [m for r in results for m in r["messages"]], "elapsed": elapsed}
    return merged


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] * 1000


def reference_rows(url: str, table: str = "ref_response") -> int:
    from sqlalchemy import create_engine, inspect, text

    engine = create_engine(url)
    try:
        if not inspect(engine).has_table(table):
            return 0
        with engine.connect() as connection:
            return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar())
    finally:
        engine.dispose()


def analyze(url: str) -> None:
    """Planner statistics for the tables as they are now: a running installation's autovacuum
    keeps them (each run adds thousands of answers to a table that had a handful), and without
    them a prepared statement keeps the plan made for an empty table (a scan of every answer)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("ANALYZE"))
    finally:
        engine.dispose()


def start_reference(url: str, port: int, workers: int, drafts: str = "cookie") -> subprocess.Popen:
    env = {**os.environ, "REFERENCE_DATABASE_URL": url, "REFERENCE_SECRET_KEY": live_server.SECRET,
           "REFERENCE_DRAFTS": drafts, "PYTHONPATH": str(ROOT)}
    log = open(OUT / f"reference-{port}.log", "ab")
    process = subprocess.Popen(
        [str(live_server.BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}", "--graceful-timeout", "2",
         "bench.reference_app:create_app()"], env=env, cwd=ROOT, stdout=log, stderr=log, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            status, _, _ = Phone(port, "127.0.0.1").request("GET", "/r/answer")
            if status == 200:
                return process
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the reference does not answer")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None, help="default: SQLite files under bench/out/")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--port", type=int, default=8714)
    parser.add_argument("--analyze", action=argparse.BooleanOptionalAction, default=True,
                        help="PostgreSQL: ANALYZE before each run, as autovacuum keeps the statistics of a "
                             "running installation (this machine's server runs with autovacuum off; "
                             "--no-analyze: plans made for the empty tables are kept as they grow)")
    parser.add_argument("--server-drafts", action="store_true",
                        help="also run the reference keeping its drafts in the database (reference_app.py)")
    args = parser.parse_args()

    OUT.mkdir(parents=True, exist_ok=True)
    url = args.database_url or "sqlite:///" + str(OUT / "journey.sqlite")
    ref_url = url if args.database_url else "sqlite:///" + str(OUT / "journey-ref.sqlite")
    live_server.reset_database(url)
    if not args.database_url:
        live_server.reset_database(ref_url)
    token, campaign_id = live_server.open_campaign(url)
    print(f"# {time.strftime('%Y-%m-%d %H:%M:%S')} {url.split('://')[0]}, {args.workers} gunicorn workers, "
          f"{args.seconds:g} s runs × {args.repeats}, load before: {os.getloadavg()[0]:.2f}")

    ours = live_server.start_gunicorn({**os.environ, **live_server.settings(url, PROXY_FIX=1), "PYTHONPATH": str(ROOT)},
                                      args.port, args.workers)
    reference = start_reference(ref_url, args.port + 1, args.workers)
    apps = {"reference": (reference, args.port + 1, "/r/answer", lambda: reference_rows(ref_url))}
    if args.server_drafts:
        apps["ref+drafts"] = (start_reference(ref_url, args.port + 2, args.workers, drafts="server"), args.port + 2,
                              "/r/answer", lambda: reference_rows(ref_url, "refd_response"))
    apps["surveyapp"] = (ours, args.port, f"/s/{token}/answer", lambda: live_server.count_rows(url, campaign_id))
    try:
        for name, (_, port, start, _) in apps.items():  # warm up: templates compiled, connections open
            for i in range(2 * args.workers):
                walk(Phone(port, f"10.255.0.{i + 1}"), start)
        summary: dict = {}
        run_no = 0
        for concurrency in args.concurrency:
            for repeat in range(args.repeats):
                for name, (process, port, start, rows) in apps.items():
                    run_no += 1
                    if args.database_url and args.analyze:
                        analyze(url)
                    rows_before, cpu_before, db_before = rows(), worker_cpu(process.pid), postgres_cpu()
                    result = run(port, start, concurrency, args.seconds, run_no)
                    cpu = worker_cpu(process.pid) - cpu_before
                    db_cpu = postgres_cpu() - db_before
                    stored = rows() - rows_before
                    rate = result["acks"] / result["elapsed"]
                    summary.setdefault((concurrency, name), []).append(rate)
                    print(f"c={concurrency:<3} {name:<10} {rate:7.1f} submissions/s  "
                          f"POST p50/p99 {percentile(result['posts'], 50):6.1f}/{percentile(result['posts'], 99):6.1f} ms  "
                          f"storing POST p50/p99 {percentile(result['last'], 50):6.1f}/{percentile(result['last'], 99):6.1f} ms  "
                          f"CPU {1000 * cpu / max(result['acks'], 1):5.1f} ms/submission"
                          + (f" + database {1000 * db_cpu / max(result['acks'], 1):4.1f}" if args.database_url else "")
                          + "  "
                          f"acks {result['acks']} rows {stored} lost {max(result['acks'] - stored, 0)} "
                          f"doubled {max(stored - result['acks'], 0)} errors {result['errors']}  "
                          f"load {os.getloadavg()[0]:.2f}"
                          + (f"  {result['messages']}" if result["messages"] else ""), flush=True)
            ref, app = (statistics.median(summary[(concurrency, n)]) for n in ("reference", "surveyapp"))
            line = f"c={concurrency:<3} median: reference {ref:.1f}/s, surveyapp {app:.1f}/s, ratio {app / ref:.2f}"
            if args.server_drafts:
                drafts = statistics.median(summary[(concurrency, "ref+drafts")])
                line += (f"; reference with server drafts {drafts:.1f}/s, its ratio {drafts / ref:.2f}, "
                         f"surveyapp against it {app / drafts:.2f}")
            print(line, flush=True)
    finally:
        for process, *_ in apps.values():
            live_server.stop(process)


if __name__ == "__main__":
    main()
