"""Writes (and the reads they depend on) of the public side: which device is answering,
how many answers it has given, and the draft of the questionnaire being filled in."""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import and_, bindparam, case, delete, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from ..circles.queries import choices_of, community_names_aggregate, names_from_aggregate
from ..db import DirectConnection, scrubbed
from ..models import AnswerDraft, Campaign, Circle, Response
from ..models.draft import DELETE_DRAFT, DRAFT_KEEP_HOURS
from ..models.timeutil import utcnow
from ..memo import ProcessMemo

#: An idempotency key as the form carries it (secrets.token_urlsafe(18): 144 bits).
SUBMISSION_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def device_hash(secret_key: str, campaign: Campaign, device_id: str) -> str:
    """Keyed hash of the device cookie, per campaign: the raw cookie is never stored, and
    the same phone cannot be followed from one campaign to the next."""
    return _device_hash(secret_key, campaign.id, device_id)


def _device_hash(secret_key: str, campaign_id: int, device_id: str) -> str:
    message = f"{campaign_id}:{device_id}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class PublicCampaign:
    """What a respondent's pages read of a campaign, as plain values: every one of their
    requests reads it, and an ORM object (identity map, instrumented attributes, the session's
    bookkeeping) costs twice the query itself for nothing here, as these pages never change it."""

    id: int
    circle_id: int
    kind: str
    token: str
    questionnaire_hash: str
    opens_at: datetime
    closes_at: datetime | None
    status: str
    answers_per_device: int

    #: The campaign's own rule (Campaign.state reads only status, opens_at and closes_at).
    state = Campaign.state


@dataclass(frozen=True, slots=True)
class PublicCircle:
    """What a respondent's pages show of the circle."""

    id: int
    name: str


@dataclass(frozen=True, slots=True)
class DraftValues:
    """A device's draft as read with the campaign (the draft is written by save_draft's upsert,
    never through this object)."""

    answers: dict
    step: int
    submission_key: str
    started_at: datetime
    updated_at: datetime


_CAMPAIGN_COLUMNS = tuple(Campaign.__table__.c[name] for name in PublicCampaign.__slots__)
_CIRCLE_COLUMNS = tuple(Circle.__table__.c[name] for name in PublicCircle.__slots__)
_DRAFT_COLUMNS = tuple(AnswerDraft.__table__.c[name] for name in DraftValues.__slots__)


@dataclass(frozen=True)
class _Statements:
    """The statements of every respondent request, built once: SQLAlchemy then reuses both
    their cache keys and their compiled forms, instead of building a select per call."""

    draft: Any
    stored: Any


def _respondent_statement(dialect: str):
    """The respondent's statement (see respondent_context) for ``dialect`` (the community
    names are aggregated by a function of each database); built once, by direct_sql.prepared."""
    given = (select(func.count()).select_from(Response)
             .where(Response.campaign_id == bindparam("campaign_id"), Response.device_hash == bindparam("device"))
             .scalar_subquery())
    stored = _statements().stored.scalar_subquery()
    draft = AnswerDraft.__table__
    return (select(*_CAMPAIGN_COLUMNS, *_CIRCLE_COLUMNS, given, *_DRAFT_COLUMNS, draft.c.id, stored,
                   community_names_aggregate(dialect))
            .select_from(Campaign.__table__).join(Circle.__table__, Circle.id == Campaign.circle_id)
            .outerjoin(draft, and_(draft.c.campaign_id == Campaign.id, draft.c.owner == bindparam("device")))
            .where(Campaign.id == bindparam("campaign_id"), Campaign.token == bindparam("token"))), None


def _campaign_of_token(_dialect: str):
    table = Campaign.__table__
    return select(table.c.id).where(table.c.token == bindparam("token")), None


@cache
def _statements() -> _Statements:
    return _Statements(
        draft=select(AnswerDraft).where(AnswerDraft.campaign_id == bindparam("campaign_id"),
                                        AnswerDraft.owner == bindparam("owner")),
        stored=select(Response.id).where(Response.campaign_id == bindparam("campaign_id"),
                                         Response.submission_key == bindparam("key")),
    )


#: Campaign id by public token, per process: a token never moves to another campaign, and the
#: respondent's query below still checks the token, so a stale entry only costs a second query.
_CAMPAIGN_IDS = ProcessMemo(4096)


@dataclass(frozen=True)
class Respondent:
    campaign: PublicCampaign
    circle: PublicCircle
    #: Keyed hash of the device cookie (None without one).
    device_hash: str | None
    #: Responses this device has given in this campaign.
    given: int
    #: The device's draft in this campaign, if any and not expired.
    draft: DraftValues | None
    #: The response already stored from the posted form (its submission key), if any: read
    #: in the same statement as the draft, so the two agree (a twin post that stored the
    #: form has deleted the draft).
    stored: int | None = None
    #: What the community question offers: the circle's communities (read in the same
    #: statement), then "none of these".
    communities: tuple[str, ...] = ()


def _respondent(row, hashed: str | None) -> Respondent:
    """The respondent's context from one row of the respondent statement (columns in the
    order of the value classes' fields)."""
    campaign_end = len(_CAMPAIGN_COLUMNS)
    circle_end = campaign_end + len(_CIRCLE_COLUMNS)
    draft_start = circle_end + 1
    draft_end = draft_start + len(_DRAFT_COLUMNS)
    count, draft_id, stored, names = row[circle_end], row[draft_end], row[draft_end + 1], row[draft_end + 2]
    draft = DraftValues(*row[draft_start:draft_end]) if draft_id is not None else None
    return Respondent(PublicCampaign(*row[:campaign_end]), PublicCircle(*row[campaign_end:circle_end]), hashed,
                      int(count or 0), fresh_draft(draft), stored, tuple(choices_of(names_from_aggregate(names))))


def respondent_context(connection: DirectConnection, secret_key: str, token: str, device: str | None,
                       submission_key: str | None = None) -> Respondent | None:
    """The campaign, its circle and its communities, and the device's answer count and draft
    for a respondent's request (and, for a post, whether its form was stored already), in one
    query once the token has been seen by this process, read as plain values on the request's
    direct connection; None for an unknown token. Every page of the resident's journey starts here."""
    if not token or len(token) > 64:
        return None
    for _attempt in range(2):
        campaign_id = _CAMPAIGN_IDS.get(token)
        if campaign_id is None:
            found = connection.first(_campaign_of_token, {"token": token})
            if found is None:
                return None
            campaign_id = _CAMPAIGN_IDS.remember(token, found[0])
        # No device yet: "device_hash = NULL" counts nothing (responses without a device,
        # paper ones, are not this phone's).
        hashed = _device_hash(secret_key, campaign_id, device) if device else None
        row = connection.first(_respondent_statement, {"campaign_id": campaign_id, "token": token,
                                                       "device": hashed, "key": submission_key})
        if row is not None:
            return _respondent(row, hashed)
        _CAMPAIGN_IDS.forget(token)
    return None


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
    return session.exec(_statements().stored, params={"campaign_id": campaign.id, "key": key}).first()


def _fresh_after() -> datetime:
    return utcnow() - timedelta(hours=DRAFT_KEEP_HOURS)


def load_draft(session: Session, campaign: Campaign, owner: str) -> AnswerDraft | None:
    return fresh_draft(session.exec(_statements().draft, params={"campaign_id": campaign.id, "owner": owner}).first())


def fresh_draft(draft: AnswerDraft | DraftValues | None) -> AnswerDraft | DraftValues | None:
    if draft is not None and draft.updated_at < _fresh_after():
        return None  # expired; removed by the next purge
    return draft


_DRAFT_VALUES = ["campaign_id", "owner", "answers", "step", "submission_key", "started_at", "updated_at"]


def _draft_upsert(dialect: str):
    """Insert the draft, or update the device's row: one statement, built (and compiled) once
    per dialect by direct_sql.prepared. A row older than DRAFT_KEEP_HOURS counts as gone, so
    it starts again from this save (``started_at`` taken from the new values)."""
    table = AnswerDraft.__table__
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table)
    expired = table.c.updated_at < bindparam("fresh_after", type_=table.c.updated_at.type)
    return statement.on_conflict_do_update(
        index_elements=["campaign_id", "owner"],
        set_={"answers": statement.excluded.answers, "step": statement.excluded.step,
              "submission_key": statement.excluded.submission_key, "updated_at": statement.excluded.updated_at,
              "started_at": case((expired, statement.excluded.started_at), else_=table.c.started_at)},
    ), _DRAFT_VALUES


def save_draft(connection: DirectConnection, campaign: Campaign, owner: str, *, answers: dict, step: int,
               submission_key: str, started_at: datetime | None) -> None:
    """Insert or update the draft (one row per device and campaign) and commit, in one
    statement: two first saves of one device at once, or a save racing the post that stores
    the response (and deletes the draft), need no retry. ``started_at``: when the answering
    began (the draft's own time is kept while it is fresh)."""
    now = utcnow()
    # Written past the ORM, so past its flush-time text backstop (db.scrub_before_flush):
    # the same cleaning (db.scrubbed) here (the form's text was cleaned when read; this catches the rest).
    connection.run(_draft_upsert, {
        "campaign_id": campaign.id, "owner": owner, "answers": scrubbed(answers), "step": step,
        "submission_key": submission_key, "started_at": started_at or now, "updated_at": now,
        "fresh_after": _fresh_after(),
    })
    connection.commit()


def discard_draft(session: Session, campaign: Campaign, owner: str) -> None:
    session.connection().execute(DELETE_DRAFT, {"campaign_id": campaign.id, "owner": owner})
    session.commit()


def purge_drafts(session: Session) -> int:
    """Delete drafts nobody touched for DRAFT_KEEP_HOURS (run daily or from the CLI)."""
    result = session.execute(delete(AnswerDraft).where(AnswerDraft.updated_at < _fresh_after()))
    session.commit()
    return result.rowcount or 0
