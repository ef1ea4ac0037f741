"""One completed questionnaire, stored in a single row.

Answers are a JSON document keyed by question name; the questionnaire's name, version and
content hash are stored with them so that an answer can always be read against the exact
file it was given under. A few facts derived from the answers at write time (community,
duration, straight-lining, the reason a response is excluded) are kept in columns so that
the quality rules and the statistics never have to parse JSON for a million rows.
"""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel, UniqueConstraint

from .timeutil import utcnow


class Channel(str, enum.Enum):
    qr = "qr"
    paper = "paper"
    #: Asked at the door or a street desk by an interviewer holding a tablet (面访/代填).
    interview = "interview"
    #: Answered online on 问卷星 / 腾讯问卷 and brought in from the platform's export.
    wjx = "wjx"
    tencent = "tencent"


class ChannelName(NamedTuple):
    full: str
    #: For a table column.
    short: str
    #: In a report's method chapter, where how the answers were collected must be plain.
    report: str


#: What each channel is called: the one list pages, the ``channel`` filter, data exports and
#: reports read. The order is the exports' channel codes 1…5.
CHANNEL_NAMES = {
    Channel.qr.value: ChannelName("居民扫码填写", "扫码", "扫码在线填写"),
    Channel.paper.value: ChannelName("纸质问卷录入", "纸质", "纸质问卷（评价机构录入）"),
    Channel.interview.value: ChannelName("访员面访代填", "面访", "入户或街头面访（访员代填）"),
    Channel.wjx.value: ChannelName("问卷星导入", "问卷星", "问卷星在线填写（导入）"),
    Channel.tencent.value: ChannelName("腾讯问卷导入", "腾讯问卷", "腾讯问卷在线填写（导入）"),
}
#: Channels of answers brought in from another tool (shown only when a campaign has some).
IMPORTED_CHANNELS = (Channel.wjx.value, Channel.tencent.value)


def channel_name(code: str, short: bool = False) -> str:
    """The channel's name on a page (the code itself for one this list does not know)."""
    names = CHANNEL_NAMES.get(code)
    if names is None:
        return code
    return names.short if short else names.full


#: Channels the too-fast rule applies to (the respondent filled the form alone, timed).
SPEED_RULE_CHANNELS = (Channel.qr.value, Channel.wjx.value, Channel.tencent.value)


class Exclusion(str, enum.Enum):
    """Why a stored response does not count. ``too_fast`` is not stored: it depends on the
    campaign's median completion time, so it is decided when the figures are computed."""

    incomplete = "incomplete"
    outside = "outside"
    duplicate = "duplicate"
    straightlining = "straightlining"
    manual = "manual"


class Response(SQLModel, table=True):
    __table_args__ = (
        # A device gives at most the campaign's answers_per_device responses: each takes the
        # next slot (1, 2, ...), so two posts racing for the same slot store one response.
        # NULL (paper, interviews) is never a duplicate here.
        UniqueConstraint("campaign_id", "device_hash", "device_slot", name="uq_response_campaign_device_slot"),
        # One response per filled-in form: a double tap or a retry never stores twice.
        UniqueConstraint("campaign_id", "submission_key", name="uq_response_campaign_submission"),
        Index("ix_response_campaign_serial", "campaign_id", "serial"),
        Index("ix_response_campaign_duration", "campaign_id", "duration_seconds"),
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
    #: 1 for a device's first answer; 2, 3 ... for the extra answers given for family
    #: members on the same phone (为家人再填一份). None when there is no device (paper, interview).
    device_slot: int | None = None
    #: Random key of the filled-in form (idempotency key), None for paper.
    submission_key: str | None = Field(default=None, max_length=64)
    #: The staff member (role interviewer, assessor or admin) who asked the questions, for
    #: the interview channel.
    interviewer_id: int | None = Field(default=None, foreign_key="user.id", index=True, ondelete="SET NULL")
    #: Number printed on a paper questionnaire.
    serial: str | None = Field(default=None, max_length=64)
    started_at: datetime | None = None
    finished_at: datetime = Field(default_factory=utcnow)
    #: Whole seconds from opening the form to submitting it (online only).
    duration_seconds: int | None = None
    answers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    complete: bool = True
    community: str | None = Field(default=None, max_length=100)
    #: Every one of at least 8 detail items got the same answer: flagged for the assessor,
    #: excluded only when they confirm.
    straightlining: bool = False
    duplicate_of: int | None = None
    #: Stored reason (Exclusion) this response does not count, or None.
    exclusion: str | None = Field(default=None, max_length=16)
    #: The assessor restored it: the completion-time rule no longer applies.
    speed_exempt: bool = False
    created_at: datetime = Field(default_factory=utcnow)

    @property
    def household_extra(self) -> bool:
        """Came from a device that had already answered this campaign."""
        return (self.device_slot or 0) > 1
