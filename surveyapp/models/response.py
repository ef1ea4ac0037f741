"""One completed questionnaire, stored in a single row (one INSERT per submission).

Answers are a JSON document keyed by question name; the questionnaire's name, version and
content hash are stored with them so that an answer can always be read against the exact
file it was given under.
"""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel, UniqueConstraint

from .timeutil import utcnow


class Channel(str, enum.Enum):
    qr = "qr"
    paper = "paper"


class ResponseStatus(str, enum.Enum):
    valid = "valid"
    excluded = "excluded"


class Response(SQLModel, table=True):
    __table_args__ = (
        # One response per device per campaign; NULL (paper) is never a duplicate here.
        UniqueConstraint("campaign_id", "device_hash", name="uq_response_campaign_device"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True, ondelete="CASCADE")
    questionnaire: str = Field(max_length=64)
    questionnaire_version: str = Field(max_length=32)
    questionnaire_hash: str = Field(max_length=64)
    channel: str = Field(default=Channel.qr.value, max_length=16)
    #: HMAC of the browser's random device cookie: enough to refuse a second answer,
    #: useless to identify anyone.
    device_hash: str | None = Field(default=None, max_length=64)
    #: Number printed on a paper questionnaire.
    serial: str | None = Field(default=None, max_length=64)
    started_at: datetime | None = None
    finished_at: datetime = Field(default_factory=utcnow)
    answers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    complete: bool = True
    status: str = Field(default=ResponseStatus.valid.value, max_length=16, index=True)
    status_reason: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow)
