"""The audit log: one row per staff write, never updated or deleted.

Who (the account, kept by name too so the row outlives the account), when, what (an action
name such as ``circle.update``, the object's type and id, its circle) and the values before
and after. The migration adds database triggers that refuse UPDATE and DELETE on the table,
so not even a bug in the product can rewrite history.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from .timeutil import utcnow


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_at", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow)
    #: No foreign key: the entry stays when the account or the circle is removed.
    user_id: int | None = Field(default=None, index=True)
    #: The account's username at the time, or "命令行（…）" for a command run at a shell.
    actor: str = Field(default="", max_length=128)
    role: str = Field(default="", max_length=16)
    #: ``<feature>.<verb>``, e.g. ``auth.login_failed``, ``circle.update``, ``report.issue``.
    action: str = Field(max_length=64, index=True)
    target_type: str = Field(default="", max_length=32)
    target_id: str = Field(default="", max_length=64)
    circle_id: int | None = Field(default=None, index=True)
    #: A sentence in Chinese for the log page, e.g. "签发评价报告 PJ-2026-0003".
    summary: str = Field(default="", max_length=500)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    #: The client address of a web request (staff only; residents are never audited).
    address: str = Field(default="", max_length=64)
