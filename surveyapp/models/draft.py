"""A questionnaire being filled in: the answers of the steps done so far, kept on the server.

A resident who leaves on step 3 and opens the link again on the same phone comes back to
step 3 with everything they had answered (DRAFT_KEEP_HOURS); the draft is deleted in the
transaction that stores the finished response. Drafts hold answers as typed (text), never
the device cookie itself: ``owner`` is the same keyed hash the response would carry.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, bindparam, delete
from sqlmodel import Field, SQLModel, UniqueConstraint

from .timeutil import utcnow

#: A draft not touched for this long is gone (the issue asks for at least 24 hours).
DRAFT_KEEP_HOURS = 7 * 24


class AnswerDraft(SQLModel, table=True):
    __tablename__ = "answer_draft"
    __table_args__ = (
        UniqueConstraint("campaign_id", "owner", name="uq_answer_draft_campaign_owner"),
        Index("ix_answer_draft_updated_at", "updated_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", ondelete="CASCADE")
    #: Keyed hash of the device (residents) or of the interviewer's account (interviews).
    owner: str = Field(max_length=64)
    #: Index of the step to show when the link is opened again (0 = first).
    step: int = 0
    #: Answers as typed, keyed by question name (text, or a list for multiple choice).
    answers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    #: The form's idempotency key, carried into the stored response.
    submission_key: str = Field(max_length=64)
    started_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


#: One device's draft in one campaign (``campaign_id``, ``owner``), deleted when its answers are
#: stored or screened out: one statement built once, run on the session's connection (no draft
#: object to keep in step; an ORM-enabled delete built per call cost more than the insert of
#: the response).
DELETE_DRAFT = delete(AnswerDraft.__table__).where(AnswerDraft.__table__.c.campaign_id == bindparam("campaign_id"),
                                                   AnswerDraft.__table__.c.owner == bindparam("owner"))
