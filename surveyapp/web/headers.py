"""Security headers on every response (written here in a few lines rather than with
Flask-Talisman: the policy is five fixed headers, and Talisman would also redirect to HTTPS
and rewrite cookies, which the reverse proxy and our own settings already own).

- ``Content-Security-Policy``: scripts, styles, images, fonts and form targets from this site
  only; no inline script or style attribute is needed by any page (the pages keep theirs in
  ``static/``), ``data:`` images for the inline QR codes and charts; nobody may frame a page.
- ``X-Frame-Options: DENY`` for browsers that predate ``frame-ancestors``.
- ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: same-origin`` (a campaign's token
  never leaks to another site through the Referer).
- ``Strict-Transport-Security`` when the request came over HTTPS (directly, or through the
  trusted proxies counted by ``SURVEYAPP_PROXY_FIX``).
"""
from __future__ import annotations

import functools
from urllib.parse import urlsplit

from flask import current_app, request


def content_security_policy(tile_url: str = "") -> str:
    """The policy; the outlet map's tile server (``SURVEYAPP_MAP_TILE_URL``), when one is set,
    is the only other origin images may come from (built once per tile server, with the other
    fixed headers: _fixed_headers)."""
    tiles = ""
    if tile_url:
        parts = urlsplit(tile_url.replace("{s}", "*").split("{", 1)[0])
        if parts.scheme and parts.netloc:
            tiles = f" {parts.scheme}://{parts.netloc}"
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        f"img-src 'self' data: blob:{tiles}",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


HSTS = "max-age=31536000; includeSubDomains"


@functools.lru_cache(maxsize=8)
def _fixed_headers(tile_url: str) -> tuple[tuple[str, str], ...]:
    return (("Content-Security-Policy", content_security_policy(tile_url)), ("X-Frame-Options", "DENY"),
            ("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "same-origin"))


_FIXED_NAMES = frozenset(name.lower() for name, _ in _fixed_headers(""))


def add_security_headers(response):
    """The fixed headers, each unless the view set its own; looked for in one pass over the
    response's headers (every response carries them: four lookups and four validated sets
    per response cost a bare page a twentieth of its time)."""
    headers = response.headers
    fixed = _fixed_headers(current_app.config.get("MAP_TILE_URL") or "")
    own = _FIXED_NAMES.intersection(name.lower() for name in headers.keys())
    headers.extend(fixed if not own else [(name, value) for name, value in fixed if name.lower() not in own])
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def init_app(app) -> None:
    app.after_request(add_security_headers)
