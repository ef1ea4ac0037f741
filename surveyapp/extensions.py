"""Flask extensions that several blueprints share, bound to the app in init_app."""
from __future__ import annotations

from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

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


def init_app(app) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    limiter.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
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
