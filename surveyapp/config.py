"""Settings: safe development defaults, overridden by ``SURVEYAPP_*`` environment variables.

Nothing here runs at import time: :func:`load_settings` is called by the app factory, so
tests and the CLI can build apps with different settings in one process.
"""
from __future__ import annotations

import math
import os
from collections import Counter
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: Every setting the application reads, with its development default. The environment
#: variable for a setting is ``SURVEYAPP_`` + its name (``SURVEYAPP_DATABASE_URL``...).
DEFAULTS = {
    "ENV": "development",  # "production" refuses to start without a real secret key
    "SECRET_KEY": None,
    "DATABASE_URL": None,  # None: SQLite file in the instance folder
    "BASE_URL": "http://127.0.0.1:5000",  # public address printed in links and QR codes
    "QUESTIONNAIRE_DIR": str(PROJECT_ROOT / "questionnaires"),
    "RULES_DIR": str(PROJECT_ROOT / "rules"),  # scoring rules files, one per jurisdiction
    "DEFAULT_RULES": "national",
    "QR_DIR": None,  # None: <instance>/qr
    "RATELIMIT_STORAGE_URI": "memory://",  # redis://127.0.0.1:6379/0 beyond one process
    # Per address, every post of the answer form: a paged answer is about six posts (one per
    # step), and a street desk's Wi-Fi puts many phones behind one address.
    "SUBMIT_RATE_LIMIT": "60 per minute;1500 per hour",
    # Failed sign-ins per client address (successes do not count: an office shares one NAT).
    "LOGIN_RATE_LIMIT": "30 per minute;200 per hour",
    "TIMEZONE": "Asia/Shanghai",  # dates and times are shown in this zone
    "TOO_FAST_FRACTION": "1/3",  # online answers faster than this share of the median are excluded
    "PROXY_FIX": 0,  # number of trusted proxies in front of the app (for real client addresses)
    "SQLITE_BUSY_TIMEOUT_MS": 10000,
    # Production with the per-process memory:// limit store only when this says so (one process).
    "RATELIMIT_PER_PROCESS_OK": False,
    # Per-account sign-in throttle: free failures, then a lock doubling from the first to the
    # longest (so an attacker can hold a real user out for minutes, never for long).
    "LOGIN_FREE_FAILURES": 5,
    "LOGIN_LOCK_FIRST_SECONDS": 30,
    "LOGIN_LOCK_LONGEST_SECONDS": 900,
    # A web request (not an upload): body bytes, number of fields, characters in one field.
    "REQUEST_MAX_BYTES": 1_000_000,
    "REQUEST_MAX_FIELDS": 1000,
    "FIELD_MAX_CHARS": 20_000,
    # Every importer (paper questionnaires, platform exports, city lists) refuses a file past
    # these before reading it through: bytes of the file, data rows, characters in one cell.
    # Sized for the largest real circle (about 150,000 residents: a 3% sample is 4,500 forms)
    # with ten times the room, and for free-text answers of a few paragraphs.
    "IMPORT_MAX_BYTES": 20_000_000,
    "IMPORT_MAX_ROWS": 50_000,
    "IMPORT_MAX_CELL_CHARS": 5_000,
    # Map tiles of the outlet map, e.g. a city's own tile server or 天地图 (with its key):
    # "https://t0.tianditu.gov.cn/vec_w/wmts?...&tk=KEY". Empty: points on a plain background.
    "MAP_TILE_URL": "",
    "MAP_TILE_ATTRIBUTION": "",
    "MAP_TILE_DATUM": "wgs84",  # "gcj02" for 高德/腾讯 tiles: points are converted at the map's edge
}

#: Settings that are no longer read, with where the value lives now: the app refuses to start
#: while one is set, rather than silently disagreeing with it.
RETIRED = {
    "SAMPLE_RATE": "the sample rule is the rules file's service.sample_rate (rules/<name>.yaml, "
                   "SURVEYAPP_DEFAULT_RULES names the file); unset SURVEYAPP_SAMPLE_RATE",
}

#: The development secret; production mode refuses it.
DEV_SECRET_KEY = "dev-only-not-secret"
#: Estimated bits of entropy a production secret key must have (32 random bytes).
SECRET_KEY_MIN_BITS = 256
MAKE_A_SECRET = "python3 -c 'import secrets; print(secrets.token_hex(32))'"


class ConfigError(RuntimeError):
    """Raised when the app must not start with the given settings."""


def load_settings(config: dict | None, instance_path: str, environ=None) -> dict:
    """Merge defaults, the environment, and an explicit mapping (tests), in that order."""
    environ = os.environ if environ is None else environ
    settings = dict(DEFAULTS)
    for name, where in RETIRED.items():
        if environ.get(f"SURVEYAPP_{name}") or (config and name in config):
            raise ConfigError(f"SURVEYAPP_{name} is no longer read: {where}.")
    for name in DEFAULTS:
        value = environ.get(f"SURVEYAPP_{name}")
        if value is not None and value != "":
            settings[name] = _coerce(DEFAULTS[name], value)
    if config:
        settings.update(config)

    production = settings["ENV"] == "production"
    if not settings["SECRET_KEY"] or settings["SECRET_KEY"] == DEV_SECRET_KEY:
        if production:
            raise ConfigError(f"SURVEYAPP_SECRET_KEY must be set in production; make one with: {MAKE_A_SECRET}")
        settings["SECRET_KEY"] = DEV_SECRET_KEY
    if production:
        bits = secret_key_bits(settings["SECRET_KEY"])
        if bits < SECRET_KEY_MIN_BITS:
            raise ConfigError(
                f"SURVEYAPP_SECRET_KEY is too weak for production (about {bits:.0f} bits of entropy, "
                f"{SECRET_KEY_MIN_BITS} needed: 32 random bytes); make one with: {MAKE_A_SECRET}")
        if settings["RATELIMIT_STORAGE_URI"].startswith("memory://") and not settings["RATELIMIT_PER_PROCESS_OK"]:
            raise ConfigError(
                "SURVEYAPP_RATELIMIT_STORAGE_URI is memory:// in production: every worker would count "
                "on its own (4 workers let 4 times the limit through). Point it at a store all workers "
                "share, e.g. SURVEYAPP_RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0, or, for a single "
                "process, set SURVEYAPP_RATELIMIT_PER_PROCESS_OK=1.")
    if not settings["DATABASE_URL"]:
        settings["DATABASE_URL"] = "sqlite:///" + str(Path(instance_path) / "surveyapp.sqlite")
    if not settings["QR_DIR"]:
        settings["QR_DIR"] = str(Path(instance_path) / "qr")
    if settings["MAP_TILE_DATUM"] not in ("wgs84", "gcj02"):
        raise ConfigError("SURVEYAPP_MAP_TILE_DATUM must be wgs84 or gcj02")
    settings["SESSION_COOKIE_SECURE"] = production
    settings["SESSION_COOKIE_HTTPONLY"] = True
    settings["SESSION_COOKIE_SAMESITE"] = "Lax"
    settings["REMEMBER_COOKIE_SECURE"] = production
    settings["WTF_CSRF_TIME_LIMIT"] = 4 * 3600  # an elderly resident may pause; answers are kept anyway
    settings["RATELIMIT_ENABLED"] = settings.get("RATELIMIT_ENABLED", True)
    settings["RATELIMIT_HEADERS_ENABLED"] = True
    return settings


def secret_key_bits(key: str | bytes) -> float:
    """A conservative estimate of the entropy in ``key``, in bits.

    Each character is taken to be drawn from the smallest common alphabet that holds all of
    them (hex digits, decimal digits, letters and digits, base64, printable ASCII, any byte),
    and the estimate is capped by the text's own Shannon entropy, so that a long but
    repetitive key ("aaaa…", "abab…") counts for what it is. ``secrets.token_hex(32)`` gives
    256 bits by the first measure; the second only steps in when the mix of characters is
    far poorer than a random key's. A key that repeats itself counts one copy."""
    if isinstance(key, bytes):
        key = key.decode("latin-1")
    if not key:
        return 0.0
    period = (key + key).find(key, 1)
    if period < len(key):  # "0123456789abcdef" four times holds one copy's worth
        key = key[:period]
    alphabets = (("0123456789", 10), ("0123456789abcdef", 16), ("0123456789ABCDEF", 16),
                 ("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", 62),
                 ("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_+/=", 66))
    size = next((n for chars, n in alphabets if set(key) <= set(chars)), None)
    if size is None:
        size = 95 if all(" " <= c <= "~" for c in key) else 256
    by_alphabet = len(key) * math.log2(size)
    counts = Counter(key)
    shannon = -sum(n / len(key) * math.log2(n / len(key)) for n in counts.values())
    # A random key's character mix is close to its alphabet's; a key using few of its
    # alphabet's characters, or some far more than others, is a pattern, not a secret.
    if shannon < 0.75 * math.log2(min(size, len(key))):
        return len(key) * shannon
    return by_alphabet


def _coerce(default, value: str):
    """Environment values are strings; give them the type of the default."""
    if isinstance(default, bool):
        return value.lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(value)
    if isinstance(default, float):
        return float(value)
    return value
