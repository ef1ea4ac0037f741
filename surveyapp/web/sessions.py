"""The session cookie: Flask's signed cookie, with its serializer built once per secret key."""
from __future__ import annotations

from flask.sessions import SecureCookieSessionInterface

from ..memo import ProcessMemo


class SignedCookieSessions(SecureCookieSessionInterface):
    """Flask's cookie sessions, unchanged but for one thing: Flask builds a new signing
    serializer (itsdangerous's, with its signer settings) twice per request, to read the
    cookie and to write it, though it depends only on the secret keys. Here it is built once
    per secret key and its fallbacks (the serializer keeps no state between uses)."""

    def __init__(self) -> None:
        self._serializers = ProcessMemo(8)  # keys change while running only in tests: keep few

    def get_signing_serializer(self, app):
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        serializer = self._serializers.get(keys)
        if serializer is None:
            serializer = self._serializers.remember(keys, super().get_signing_serializer(app))
        return serializer
