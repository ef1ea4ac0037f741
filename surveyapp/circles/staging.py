"""An uploaded city list kept between "check" and "confirm".

The confirmation page shows the counts of a checked file; the file itself waits in the
instance folder under a random token bound to the uploader, and is read and checked again
when confirmed (a circle of the same name may have been registered meanwhile). Files older
than a day are removed whenever another is staged.
"""
from __future__ import annotations

import re
import secrets
import time
from pathlib import Path

from ..responses.uploads import forget_old

FOLDER = "staged-imports"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def _folder(instance_path: str) -> Path:
    return Path(instance_path) / FOLDER


def stage(instance_path: str, user_id: int, content: bytes, suffix: str) -> str:
    """Keep ``content``; returns the token naming it."""
    folder = _folder(instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    forget_old(folder, time.time())
    token = secrets.token_urlsafe(18)
    (folder / f"circles-{user_id}-{token}{suffix}").write_bytes(content)
    return token


def staged_path(instance_path: str, user_id: int, token: str | None) -> Path | None:
    """The staged file of ``user_id`` named by ``token``, or None."""
    if not token or not TOKEN.match(token):
        return None
    for suffix in (".xlsx", ".csv"):
        path = _folder(instance_path) / f"circles-{user_id}-{token}{suffix}"
        if path.is_file():
            return path
    return None


def discard(path: Path | None) -> None:
    if path is not None:
        path.unlink(missing_ok=True)
