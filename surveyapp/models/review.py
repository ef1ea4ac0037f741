"""The assessor's decisions on single responses (exclude / restore), kept as a history."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from .timeutil import utcnow


class ResponseReview(SQLModel, table=True):
    __tablename__ = "response_review"

    id: int | None = Field(default=None, primary_key=True)
    response_id: int = Field(foreign_key="response.id", index=True, ondelete="CASCADE")
    action: str = Field(max_length=16)  # "exclude" or "restore"
    reason: str = Field(max_length=16)  # an Exclusion value for "exclude", "restored" otherwise
    note: str = Field(default="", max_length=500)
    user_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)
