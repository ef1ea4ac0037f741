"""A survey campaign: one questionnaire answered by one circle's residents (or merchants)."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlmodel import Field, SQLModel

from .timeutil import utcnow


#: Default of Campaign.answers_per_device: a couple and one more family member on one phone.
DEFAULT_ANSWERS_PER_DEVICE = 3
MAX_ANSWERS_PER_DEVICE = 10


class CampaignStatus(str, enum.Enum):
    open = "open"
    closed = "closed"


class Campaign(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    circle_id: int = Field(foreign_key="circle.id", index=True, ondelete="CASCADE")
    questionnaire: str = Field(max_length=64)
    #: Who answers (the questionnaire file's ``kind``): ``resident`` or ``merchant``. Kept
    #: on the campaign so that lists can pick resident surveys without loading snapshots.
    kind: str = Field(default="resident", max_length=16, index=True)
    questionnaire_version: str = Field(max_length=32)
    questionnaire_hash: str = Field(max_length=64)
    #: Public, unguessable token in the QR link (secrets.token_urlsafe(24): 192 bits).
    token: str = Field(max_length=64, unique=True, index=True)
    opens_at: datetime = Field(default_factory=utcnow)
    closes_at: datetime | None = None
    status: str = Field(default=CampaignStatus.open.value, max_length=16)
    #: How many answers one device may give (the shared phone: 为家人再填一份). 1 keeps the
    #: strict rule of one answer per phone.
    answers_per_device: int = Field(default=DEFAULT_ANSWERS_PER_DEVICE)
    created_at: datetime = Field(default_factory=utcnow)

    def state(self, now: datetime) -> str:
        """``open``, ``not_yet_open`` or ``closed`` at ``now`` (aware UTC)."""
        if self.status == CampaignStatus.closed.value:
            return "closed"
        if now < self.opens_at:
            return "not_yet_open"
        if self.closes_at is not None and now >= self.closes_at:
            return "closed"
        return "open"
