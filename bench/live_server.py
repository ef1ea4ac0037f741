"""Shared by the gunicorn benchmarks: a database with one open resident campaign, gunicorn
serving it on 127.0.0.1, and a phone that answers the questionnaire over HTTP (urllib only).

Not a test module: the benchmarks print figures and assert nothing.
"""
from __future__ import annotations

import http.cookiejar
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
BIN = Path(sys.executable).parent
SECRET = secrets.token_hex(32)  # one per run, shared by every worker through the environment


def settings(url: str, **extra) -> dict:
    return {"SURVEYAPP_DATABASE_URL": url, "SURVEYAPP_SECRET_KEY": SECRET,
            "SURVEYAPP_INSTANCE_PATH": str(OUT / "instance"), **{f"SURVEYAPP_{k}": str(v) for k, v in extra.items()}}


def reset_database(url: str) -> None:
    """An empty, migrated database (SQLite file removed; PostgreSQL schema dropped)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(parsed.database + suffix).unlink(missing_ok=True)
    else:
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()


def open_campaign(url: str) -> tuple[str, int]:
    """Migrate ``url`` and open a resident campaign; returns (token, campaign id)."""
    from datetime import timedelta

    from surveyapp import create_app
    from surveyapp.campaigns.operations import open_campaign as open_
    from surveyapp.circles.operations import create_circle
    from surveyapp.db import get_engine, session_scope
    from surveyapp.migrations import upgrade_database
    from surveyapp.models import CircleCreate, CommunityCreate
    from surveyapp.models.timeutil import utcnow
    from surveyapp.questionnaire import load_questionnaire

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET, "INSTANCE_PATH": str(OUT / "instance")})
    with app.app_context():
        upgrade_database(get_engine())
        with session_scope() as session:
            circle = create_circle(session, CircleCreate(name="压测生活圈", population=100000, communities=[
                CommunityCreate(name="东社区", population=60000), CommunityCreate(name="西社区", population=40000)]))
            campaign = open_(session, circle, load_questionnaire(ROOT / "questionnaires" / "resident.yaml"),
                             opens_at=utcnow() - timedelta(days=1), closes_at=utcnow() + timedelta(days=30))
            token, campaign_id = campaign.token, campaign.id
        get_engine().dispose()
    return token, campaign_id


def count_rows(url: str, campaign_id: int) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        n = connection.execute(text("SELECT count(*) FROM response WHERE campaign_id = :c"), {"c": campaign_id}).scalar()
    engine.dispose()
    return int(n)


def device_rows(url: str, campaign_id: int) -> dict[str, int]:
    """Rows stored per device hash."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT device_hash, count(*) FROM response WHERE campaign_id = :c "
                                       "GROUP BY device_hash"), {"c": campaign_id}).all()
    engine.dispose()
    return {device: n for device, n in rows}


def device_hash_of(campaign_id: int, device: str) -> str:
    import hashlib
    import hmac

    return hmac.new(SECRET.encode(), f"{campaign_id}:{device}".encode(), hashlib.sha256).hexdigest()


def wait_for_port(port: int, timeout: float = 180) -> None:
    """Until the app answers a page (the master listens before its workers have booted)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        with socket.socket() as probe:
            listening = probe.connect_ex(("127.0.0.1", port)) == 0
        if listening:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/staff/login", timeout=timeout) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, TimeoutError, ConnectionError):
                pass
        time.sleep(0.2)
    raise RuntimeError(f"nothing answers on port {port}")


@contextmanager
def gunicorn(url: str, port: int, workers: int = 4, **extra):
    """gunicorn serving the app on 127.0.0.1:``port``; stopped (TERM, then KILL) on exit."""
    env = {**os.environ, **settings(url, **extra), "PYTHONPATH": str(ROOT)}
    process = start_gunicorn(env, port, workers)
    try:
        yield process
    finally:
        stop(process)


def start_gunicorn(env: dict, port: int, workers: int) -> subprocess.Popen:
    log = open(OUT / f"gunicorn-{port}.log", "ab")
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}", "--graceful-timeout", "2",
         "surveyapp:create_app()"], env=env, cwd=ROOT, stdout=log, stderr=log, start_new_session=True)
    wait_for_port(port)
    return process


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    process.wait()


ANSWERS = {"q_community": "东社区", "q_age_band": "a60_69", "q_years_lived": "y10_plus", "q_business_overall": "4",
           "q_service_overall": "5", "q_suggestion": "多开一家早餐店"}
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class Phone:
    """One phone: its own cookies (session, device), a client address header for the limiter."""

    def __init__(self, base: str, token: str, address: str | None = None, timeout: float = 60):
        self.base, self.token, self.timeout = base, token, timeout
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())
        self.headers = {"X-Forwarded-For": address} if address else {}

    def _open(self, request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")

    def device(self) -> str | None:
        """The phone's device cookie (set by the answer page)."""
        return next((c.value for c in self.jar if c.name == "sa_device"), None)

    def form(self) -> str:
        status, page = self._open(urllib.request.Request(f"{self.base}/s/{self.token}/answer", headers=self.headers))
        match = CSRF.search(page)
        if status != 200 or not match:
            raise RuntimeError(f"answer page {status}")
        return match.group(1)

    def submit(self, csrf: str, answers: dict | None = None) -> int:
        """POST the answers; 302 (to the thank-you page) means the answer was acknowledged."""
        body = urllib.parse.urlencode({"csrf_token": csrf, **(answers or ANSWERS)}).encode()
        request = urllib.request.Request(f"{self.base}/s/{self.token}/answer", data=body, headers=self.headers,
                                         method="POST")
        return self._open(request)[0]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
