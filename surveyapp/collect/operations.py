"""Writes of the public side: storing one submitted questionnaire."""
from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from ..models import Campaign, Channel, Response
from ..models.timeutil import utcnow


class AlreadyAnswered(Exception):
    """This device has already answered this campaign."""


def device_hash(secret_key: str, campaign: Campaign, device_id: str) -> str:
    """Keyed hash of the device cookie, per campaign: the raw cookie is never stored, and
    the same phone cannot be followed from one campaign to the next."""
    message = f"{campaign.id}:{device_id}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def has_answered(session: Session, campaign: Campaign, device: str | None) -> bool:
    if device is None:
        return False
    found = session.exec(
        select(Response.id).where(Response.campaign_id == campaign.id, Response.device_hash == device)
    ).first()
    return found is not None


def store_response(
    session: Session,
    campaign: Campaign,
    questionnaire,
    answers: dict,
    device: str | None,
    started_at: datetime | None,
    channel: str = Channel.qr.value,
) -> Response:
    """Insert the whole response in one transaction; a second answer from the same device
    is refused by the database's unique constraint, not by a racy check."""
    response = Response(
        campaign_id=campaign.id,
        questionnaire=questionnaire.name,
        questionnaire_version=questionnaire.version,
        questionnaire_hash=questionnaire.content_hash,
        channel=channel,
        device_hash=device,
        started_at=started_at,
        finished_at=utcnow(),
        answers=answers,
        complete=True,
    )
    session.add(response)
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise AlreadyAnswered() from exc
    return response
