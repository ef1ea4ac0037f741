"""Uploaded exports kept between the upload and the confirmed mapping: a file under the
instance folder named by a random token, reachable only with the campaign it was uploaded for.
Nothing in it is stored in the database unless the import succeeds; the file is removed then."""
from __future__ import annotations

import re
import secrets
from pathlib import Path

TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,40}$")
SUFFIXES = (".xlsx", ".csv")


def folder(instance_path: str) -> Path:
    path = Path(instance_path) / "platform-imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def store(instance_path: str, campaign_id: int, suffix: str, content: bytes) -> str:
    token = secrets.token_urlsafe(18)
    (folder(instance_path) / f"{campaign_id}-{token}{suffix}").write_bytes(content)
    return token


def find(instance_path: str, campaign_id: int, token: str | None) -> Path | None:
    if not token or not TOKEN.match(token):
        return None
    for suffix in SUFFIXES:
        path = folder(instance_path) / f"{campaign_id}-{token}{suffix}"
        if path.is_file():
            return path
    return None
