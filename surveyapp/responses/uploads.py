"""Uploaded paper-entry files waiting for the assessor's confirmation.

Between the check (counts shown, nothing stored) and the confirmation, the file is kept in
the instance folder under a random name, and the browser session remembers which upload is
its own: a second server process finds the same file, and no one can confirm an upload of
someone else's session. Once checked, only the cells read from the file are kept (the file is
read once: reading a large XLSX is most of an import's time). Nothing here touches the
database; the import itself re-checks the cells and stores them in one transaction
(``importer.import_file``).
"""
from __future__ import annotations

import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from .importer import Sheet, load_sheet, save_sheet

#: Uploads never confirmed (paper questionnaires, city lists, platform exports) are removed
#: after this many seconds.
KEEP_SECONDS = 24 * 3600
SESSION_KEY = "paper_uploads"
#: The cells read from a checked upload, kept in its folder instead of the file.
CELLS = "cells.json"


@dataclass(frozen=True)
class PendingUpload:
    token: str
    campaign_id: int
    #: The file's name on the user's computer (shown and named in problems).
    name: str
    path: Path


def _root(instance_path: str) -> Path:
    return Path(instance_path) / "paper-uploads"


def forget_old(root: Path, now: float) -> None:
    """Remove what was put in ``root`` more than KEEP_SECONDS ago and never confirmed: the
    paper uploads' folders here, the staged city lists' and platform exports' files. Every
    keeper of unconfirmed uploads calls it when it keeps a new one."""
    if not root.is_dir():
        return
    for path in root.iterdir():
        try:
            if now - path.stat().st_mtime > KEEP_SECONDS:
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink()
        except OSError:
            continue


def keep(instance_path: str, session: dict, campaign_id: int, name: str, storage) -> PendingUpload:
    """Save the uploaded ``storage`` (a Werkzeug FileStorage) and remember it in ``session``."""
    root = _root(instance_path)
    forget_old(root, time.time())
    token = secrets.token_urlsafe(18)
    folder = root / token
    folder.mkdir(parents=True)
    suffix = ".csv" if name.lower().endswith(".csv") else ".xlsx"
    path = folder / f"upload{suffix}"
    storage.save(str(path))
    pending = dict(session.get(SESSION_KEY) or {})
    pending[token] = {"campaign": campaign_id, "name": name[:200]}
    session[SESSION_KEY] = dict(list(pending.items())[-5:])
    return PendingUpload(token, campaign_id, name, path)


def find(instance_path: str, session: dict, campaign_id: int, token: str) -> PendingUpload | None:
    """The upload ``token`` of this session for ``campaign_id``, if it is still there."""
    entry = (session.get(SESSION_KEY) or {}).get(token or "")
    if not entry or entry.get("campaign") != campaign_id:
        return None
    folder = _root(instance_path) / token
    files = sorted(p for p in folder.iterdir() if p.name.startswith("upload.") or p.name == CELLS) \
        if folder.is_dir() else []
    if not files:
        return None
    return PendingUpload(token, campaign_id, entry["name"], files[0])


def keep_cells(pending: PendingUpload, sheet: Sheet) -> None:
    """Keep the cells read from the checked upload, and remove the file itself."""
    save_sheet(sheet, pending.path.parent / CELLS, pending.name)
    pending.path.unlink(missing_ok=True)


def kept_cells(pending: PendingUpload) -> Sheet | Path:
    """The cells kept for the confirmation (the file itself when they were not kept)."""
    cells = pending.path.parent / CELLS
    return load_sheet(cells)[0] if cells.is_file() else pending.path


def discard(instance_path: str, session: dict, token: str) -> None:
    pending = dict(session.get(SESSION_KEY) or {})
    pending.pop(token, None)
    session[SESSION_KEY] = pending
    shutil.rmtree(_root(instance_path) / token, ignore_errors=True)
