"""Writing audit entries.

:func:`record` adds one entry to the caller's session and does not commit: the entry is
stored in the same transaction as the change it describes, so a change is never stored
without its entry, nor an entry without its change. A write that has nothing else to commit
(a failed sign-in) commits itself.
"""
from __future__ import annotations

import datetime as dt
import decimal
import enum
import fractions
import getpass

from sqlmodel import Session

from ..models import AuditEntry


def actor() -> tuple[int | None, str, str, str]:
    """(user id, name, role, address) of whoever is acting: the signed-in staff member of a
    web request, or the operating-system user of a command run at a shell."""
    try:
        from flask import has_request_context, request
        from flask_login import current_user
    except ImportError:  # pragma: no cover - Flask is always installed with the app
        has_request_context = lambda: False  # noqa: E731
    if has_request_context():
        address = (request.remote_addr or "")[:64]
        if current_user.is_authenticated:
            return current_user.id, current_user.username, current_user.role, address
        return None, "", "", address
    try:
        who = getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        who = "?"
    return None, f"命令行（{who}）", "", ""


def plain(value):
    """A value as JSON can hold it (dates as ISO text, enums by value, fractions as float)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [plain(v) for v in value]
        return sorted(items, key=str) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, (fractions.Fraction, decimal.Decimal)):
        return float(value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return value


def snapshot(obj, fields) -> dict:
    """The named attributes of ``obj`` as a plain dict (for ``before`` / ``after``)."""
    return {name: plain(getattr(obj, name)) for name in fields}


def changed(before: dict | None, after: dict | None) -> tuple[dict | None, dict | None]:
    """Only the keys whose values differ, so an entry shows what actually changed."""
    if before is None or after is None:
        return before, after
    keys = [k for k in dict.fromkeys([*before, *after]) if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def record(session: Session, action: str, *, summary: str = "", target_type: str = "",
           target_id=None, circle_id: int | None = None, before: dict | None = None,
           after: dict | None = None, user=None, only_changes: bool = True) -> AuditEntry:
    """Add an audit entry for ``action`` to ``session`` (the caller commits).

    ``user`` overrides the acting user (e.g. the account that just signed in, before the
    request knows it). With ``only_changes``, keys equal before and after are left out."""
    user_id, name, role, address = actor()
    if user is not None:
        user_id, name, role = user.id, user.username, user.role
    before, after = plain(before), plain(after)
    if only_changes:
        before, after = changed(before, after)
    entry = AuditEntry(
        user_id=user_id, actor=name[:128], role=role or "", action=action, target_type=target_type,
        target_id="" if target_id is None else str(target_id)[:64], circle_id=circle_id,
        summary=summary[:500], before=before, after=after, address=address,
    )
    session.add(entry)
    return entry
