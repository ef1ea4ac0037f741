"""Uploaded exports kept between the upload and the confirmed import.

The file is read once, when it arrives, by the reader every import uses (caps, text rule,
formulas refused); what is kept is its cells as JSON under the instance folder, named by the
campaign and a random token, so the mapping page and the import never parse the XLSX again
(reading it is most of the time of a large import). The upload itself is not kept. The cells
are removed when the import succeeds; those never imported are removed a day later, when the
next upload arrives. Nothing here is in the database.
"""
from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from ..responses.importer import Limits, Sheet, load_sheet, read_sheet, save_sheet
from ..responses.uploads import forget_old

TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,40}$")
SUFFIXES = (".xlsx", ".csv")


@dataclass(frozen=True)
class Upload:
    token: str
    #: The file's name on the assessor's computer (shown, and named in problems).
    name: str
    sheet: Sheet


def folder(instance_path: str) -> Path:
    path = Path(instance_path) / "platform-imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def store(instance_path: str, campaign_id: int, file_name: str, suffix: str, content: bytes,
          limits: Limits = Limits()) -> str:
    """Read the uploaded ``content`` and keep its cells; the token that finds them again.
    Raises ImportFailed (problems named after ``file_name``) for a file that cannot be read."""
    root = folder(instance_path)
    forget_old(root, time.time())
    token = secrets.token_urlsafe(18)
    raw = root / f"{campaign_id}-{token}{suffix}"
    raw.write_bytes(content)
    try:
        sheet = read_sheet(raw, limits, file_name=file_name)
    finally:
        raw.unlink(missing_ok=True)
    save_sheet(sheet, root / f"{campaign_id}-{token}.json", file_name)
    return token


def _path(instance_path: str, campaign_id: int, token: str | None) -> Path | None:
    if not token or not TOKEN.match(token):
        return None
    return folder(instance_path) / f"{campaign_id}-{token}.json"


def find(instance_path: str, campaign_id: int, token: str | None) -> Upload | None:
    """The upload ``token`` of ``campaign_id``, if it is still kept."""
    path = _path(instance_path, campaign_id, token)
    if path is None or not path.is_file():
        return None
    sheet, name = load_sheet(path)
    return Upload(token, name, sheet)


def discard(instance_path: str, campaign_id: int, token: str) -> None:
    path = _path(instance_path, campaign_id, token)
    if path is not None:
        path.unlink(missing_ok=True)
