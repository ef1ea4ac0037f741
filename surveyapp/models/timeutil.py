"""Timestamps are timezone-aware UTC; SQLModel's UTCDateTime stores them on both databases."""
from datetime import datetime, timezone


def utcnow() -> datetime:
    return datetime.now(timezone.utc)
