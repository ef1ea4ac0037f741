"""Writes of the public side: which device is answering, and storing its response."""
from __future__ import annotations

import hashlib
import hmac

from sqlmodel import Session, select

from ..models import Campaign, Response


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
