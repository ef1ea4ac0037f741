"""Sign-in throttling per account (per address is Flask-Limiter's ``LOGIN_RATE_LIMIT``).

The first ``LOGIN_FREE_FAILURES`` wrong passwords for a username cost nothing; each one after
that locks the username for a time doubling from ``LOGIN_LOCK_FIRST_SECONDS`` up to
``LOGIN_LOCK_LONGEST_SECONDS`` (30 s, 1 min, 2 min … 15 min). While it is locked no password is
checked for it. So an attacker trying passwords from many addresses gets a handful of guesses
an hour, and the most they can do to the real user is keep them waiting a quarter of an hour
after they stop; a success clears the count. Failures are forgotten an hour after the first.

The counts live in the rate-limit store (``SURVEYAPP_RATELIMIT_STORAGE_URI``), which production
requires to be shared by all workers. They are kept by the name typed, whether an account of
that name exists or not, so that the answer (and its time) reveals nothing about which
usernames exist.
"""
from __future__ import annotations

import hashlib
import math
import time

from flask import current_app

FAILURE_MEMORY_SECONDS = 3600
EXTENSION_KEY = "surveyapp.login_throttle"


def _storage():
    """The counter store, opened on first use per app (the same URI as the rate limits)."""
    storage = current_app.extensions.get(EXTENSION_KEY)
    if storage is None:
        from limits.storage import storage_from_string

        storage = storage_from_string(current_app.config["RATELIMIT_STORAGE_URI"])
        current_app.extensions[EXTENSION_KEY] = storage
    return storage


def _keys(username: str) -> tuple[str, str]:
    digest = hashlib.sha256(username.strip().casefold().encode("utf-8")).hexdigest()[:32]
    return f"surveyapp/login-failures/{digest}", f"surveyapp/login-lock/{digest}"


def locked_seconds(username: str) -> int:
    """Seconds until ``username`` may try again (0: it may now)."""
    storage = _storage()
    _, lock = _keys(username)
    if not storage.get(lock):
        return 0
    return max(1, math.ceil(storage.get_expiry(lock) - time.time()))


def lock_length(failures: int) -> int:
    """How long the ``failures``-th consecutive failure locks the account (0: not at all)."""
    config = current_app.config
    over = failures - config["LOGIN_FREE_FAILURES"]
    if over <= 0:
        return 0
    return min(config["LOGIN_LOCK_FIRST_SECONDS"] * 2 ** (over - 1), config["LOGIN_LOCK_LONGEST_SECONDS"])


def failed(username: str) -> int:
    """Count a wrong password for ``username``; returns the seconds it is now locked for."""
    storage = _storage()
    failures_key, lock = _keys(username)
    failures = storage.incr(failures_key, FAILURE_MEMORY_SECONDS)
    seconds = lock_length(failures)
    if seconds:
        storage.clear(lock)
        storage.incr(lock, seconds)
    return seconds


def succeeded(username: str) -> None:
    storage = _storage()
    for key in _keys(username):
        storage.clear(key)


def wait_text(seconds: int) -> str:
    """"30 秒" or "2 分钟" for a message."""
    return f"{seconds} 秒" if seconds < 60 else f"{math.ceil(seconds / 60)} 分钟"
