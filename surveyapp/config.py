"""Settings: safe development defaults, overridden by ``SURVEYAPP_*`` environment variables.

Nothing here runs at import time: :func:`load_settings` is called by the app factory, so
tests and the CLI can build apps with different settings in one process.
"""
from __future__ import annotations

import os
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
    "LOGIN_RATE_LIMIT": "10 per minute;50 per hour",
    "TIMEZONE": "Asia/Shanghai",  # dates and times are shown in this zone
    "TOO_FAST_FRACTION": "1/3",  # online answers faster than this share of the median are excluded
    "PROXY_FIX": 0,  # number of trusted proxies in front of the app (for real client addresses)
    "SQLITE_BUSY_TIMEOUT_MS": 10000,
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
            raise ConfigError(
                "SURVEYAPP_SECRET_KEY must be set to a long random value in production "
                "(e.g. python -c 'import secrets; print(secrets.token_hex(32))')."
            )
        settings["SECRET_KEY"] = DEV_SECRET_KEY
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


def _coerce(default, value: str):
    """Environment values are strings; give them the type of the default."""
    if isinstance(default, bool):
        return value.lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(value)
    if isinstance(default, float):
        return float(value)
    return value
