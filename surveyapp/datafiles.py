"""Finding the app's data files by name (questionnaires, scoring rules) and caching what
was loaded from them by content hash."""
from __future__ import annotations

from pathlib import Path

from flask import current_app


def named_yaml(folder: str | Path, name: str) -> Path | None:
    """``folder/name.yaml`` when ``name`` is a plain identifier and the file exists; None
    otherwise (a name can never reach outside the folder)."""
    if not name or not name.replace("_", "").replace("-", "").isalnum():
        return None
    path = Path(folder) / f"{name}.yaml"
    return path if path.is_file() else None


def hash_cache(key: str) -> dict:
    """The app's cache of loaded files for ``key``: entries are keyed by content hash, which
    names the exact text, so they never go stale."""
    return current_app.extensions.setdefault(key, {})
