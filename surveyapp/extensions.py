"""Flask extensions that several blueprints share, bound to the app in init_app."""
from __future__ import annotations

import threading
import time

from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits.storage import MemoryStorage
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

class SweptMemoryStorage(MemoryStorage):
    """``memory://`` (one process: development, a one-worker host, the benchmarks) without a
    thread per request. The library's store removes expired counters from a timer thread
    started anew whenever the last one has finished (10 ms): on a quiet server that is a
    thread started, and waited for, on nearly every counted post, the largest single cost
    of a resident's answer. Counters are read correctly without it (an expired counter is
    dropped when read); here the leftovers are swept inline, at most once a second."""

    STORAGE_SCHEME = ["memory"]  # registered for memory:// in place of the library's class
    SWEEP_SECONDS = 1.0

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._swept_at = time.monotonic()
        self._sweeping = threading.Lock()

    def _MemoryStorage__schedule_expiry(self) -> None:  # the base class's private hook
        now = time.monotonic()
        if now - self._swept_at >= self.SWEEP_SECONDS and self._sweeping.acquire(blocking=False):
            try:
                self._swept_at = now
                self._MemoryStorage__expire_events()
            finally:
                self._sweeping.release()


# Created unbound at import (no settings read); bound per app in init_app.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
login_manager = LoginManager()
# Every POST is CSRF-checked before its view runs; the public answer form is exempted only
# because it checks the token itself and re-renders the resident's answers on failure.
csrf = CSRFProtect()
# Compressing pages that carry a secret next to text an attacker can choose lets them guess
# the secret from the sizes (BREACH): only the public survey pages (an anonymous session's
# CSRF token at most) and static files are compressed, never the staff pages.
compress = Compress()
COMPRESSED_BLUEPRINTS = ("collect",)


def _compress_public(response):
    from flask import request

    if request.blueprint in COMPRESSED_BLUEPRINTS:
        return compress.after_request(response)
    if request.endpoint == "static" and response.status_code == 200:
        # A static file is streamed from the open file: read it into the response (the file
        # is closed with the response) so it is compressed whole, not chunk by chunk.
        response.direct_passthrough = False
        response.make_sequence()
        return compress.after_request(response)
    return response


#: Requests that nothing here limits: every limit of the app is a POST-only decorator (sign-in,
#: answers) and there are no default or application-wide limits (see init_app), so a page
#: view has nothing to count. Flask-Limiter's public request filter lets them skip resolving
#: limits, exemptions and meta limits only to find none (a fifth of a bare request's time).
UNLIMITED_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def only_writes_are_limited(config) -> bool:
    """True unless the settings add limits that count every request (a default, application-wide
    or meta limit), which page views must then pass through."""
    return not any(config.get(name) for name in ("RATELIMIT_DEFAULT", "RATELIMIT_APPLICATION", "RATELIMIT_META"))


@limiter.request_filter
def _page_views_not_limited() -> bool:
    from flask import current_app, request

    return request.method in UNLIMITED_METHODS and current_app.extensions.get("surveyapp.limits_writes_only", False)


def _lazy_current_user() -> dict:
    from flask_login import current_user

    return {"current_user": current_user}


def init_app(app) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    limiter.init_app(app)
    # Limits that would apply to page views turn the skip above off.
    app.extensions["surveyapp.limits_writes_only"] = only_writes_are_limited(app.config)
    # The limiter's before_request check counts only default, application-wide and meta limits
    # (a decorated limit is counted by its decorator): without any, it resolves and evaluates
    # nothing on every request of every page (about 4% of a resident's journey). Flask-Limiter
    # 4 has no public switch for it, so its hook is looked up by name; should the name change,
    # the check simply stays. (RATELIMIT_ENABLED=False: the hook is not added at all.)
    check = getattr(limiter, "_check_request_limit", None)
    checks = app.before_request_funcs.get(None, [])
    if app.extensions["surveyapp.limits_writes_only"] and check is not None and check in checks:
        checks.remove(check)
    csrf.init_app(app)
    # Flask-Login's own context processor loads the user for every template, and on a page
    # of an anonymous session that load rewrites the session ("strong" protection), so every
    # resident's page sent a new session cookie. The proxy loads the user only where a
    # template reads it (the staff pages).
    login_manager.init_app(app, add_context_processor=False)
    app.context_processor(_lazy_current_user)
    app.config.setdefault("COMPRESS_REGISTER", False)
    app.config.setdefault("COMPRESS_MIMETYPES", ["text/html", "text/css", "text/javascript", "application/javascript",
                                                 "application/json", "image/svg+xml"])
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip", "deflate"])
    compress.init_app(app)
    app.after_request(_compress_public)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录。"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
