"""Writes (and the reads they depend on) of the public side: which device is answering,
how many answers it has given, and the draft of the questionnaire being filled in."""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from ..models import AnswerDraft, Campaign, Response
from ..models.draft import DRAFT_KEEP_HOURS
from ..models.timeutil import utcnow

#: An idempotency key as the form carries it (secrets.token_urlsafe(18): 144 bits).
SUBMISSION_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def device_hash(secret_key: str, campaign: Campaign, device_id: str) -> str:
    """Keyed hash of the device cookie, per campaign: the raw cookie is never stored, and
    the same phone cannot be followed from one campaign to the next."""
    message = f"{campaign.id}:{device_id}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def interviewer_owner(secret_key: str, campaign: Campaign, user_id: int) -> str:
    """The draft owner of an interviewer's tablet: one interview in progress per account."""
    return device_hash(secret_key, campaign, f"interviewer:{user_id}")


def new_submission_key() -> str:
    return secrets.token_urlsafe(18)


def answers_from_device(session: Session, campaign: Campaign, device: str | None) -> int:
    """How many responses this device has given in this campaign."""
    if device is None:
        return 0
    return session.exec(
        select(func.count()).select_from(Response)
        .where(Response.campaign_id == campaign.id, Response.device_hash == device)
    ).one()


def stored_submission(session: Session, campaign: Campaign, key: str | None) -> int | None:
    """The id of the response already stored from the form with this key."""
    if not key:
        return None
    return session.exec(
        select(Response.id).where(Response.campaign_id == campaign.id, Response.submission_key == key)
    ).first()


def _fresh_after() -> datetime:
    return utcnow() - timedelta(hours=DRAFT_KEEP_HOURS)


def load_draft(session: Session, campaign: Campaign, owner: str) -> AnswerDraft | None:
    draft = session.exec(
        select(AnswerDraft).where(AnswerDraft.campaign_id == campaign.id, AnswerDraft.owner == owner)
    ).first()
    if draft is not None and draft.updated_at < _fresh_after():
        return None  # expired; removed by the next purge
    return draft


def save_draft(session: Session, campaign: Campaign, owner: str, *, answers: dict, step: int,
               submission_key: str, started_at: datetime | None) -> None:
    """Insert or update the draft (one row per device and campaign) and commit."""
    now = utcnow()
    for _attempt in range(2):
        draft = session.exec(
            select(AnswerDraft).where(AnswerDraft.campaign_id == campaign.id, AnswerDraft.owner == owner)
        ).first()
        if draft is None or draft.updated_at < _fresh_after():
            if draft is not None:
                session.delete(draft)
                session.flush()
            draft = AnswerDraft(campaign_id=campaign.id, owner=owner, started_at=started_at or now)
        draft.answers = dict(answers)
        draft.step = step
        draft.submission_key = submission_key
        draft.updated_at = now
        session.add(draft)
        try:
            session.commit()
            return
        except IntegrityError:  # two first saves of one device at once: update the winner's row
            session.rollback()
    raise RuntimeError("could not save the draft")  # pragma: no cover - needs three racing writers


def discard_draft(session: Session, campaign: Campaign, owner: str) -> None:
    session.execute(delete(AnswerDraft).where(AnswerDraft.campaign_id == campaign.id, AnswerDraft.owner == owner))
    session.commit()


def purge_drafts(session: Session) -> int:
    """Delete drafts nobody touched for DRAFT_KEEP_HOURS (run daily or from the CLI)."""
    result = session.execute(delete(AnswerDraft).where(AnswerDraft.updated_at < _fresh_after()))
    session.commit()
    return result.rowcount or 0
