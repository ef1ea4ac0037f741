"""Writes of responses: the one place a response is stored, reviewed or recounted.

Every write keeps the campaign's answer tallies in the same transaction, so the figures
never disagree with the rows.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from functools import cache

from sqlalchemy import bindparam, delete, exists
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import Session, select

from ..audit.operations import record
from ..db import DirectConnection, is_text_column, scrubbed
from ..merchants.operations import MERCHANT_QUESTIONNAIRES, outlets_from_responses
from ..models import AnswerDraft, Campaign, Channel, Exclusion, Response, ResponseReview
from ..models.draft import DELETE_DRAFT
from ..models.timeutil import utcnow
from . import quality, tallies


SERIAL_LOOKUP_CHUNK = 5000


class AlreadyAnswered(Exception):
    """This device has already answered this campaign (or the slot it asked for is taken)."""


class AlreadyStored(AlreadyAnswered):
    """This very form was stored before (a double tap, or a retry on a bad connection)."""

    def __init__(self, response_id: int):
        super().__init__(response_id)
        self.response_id = response_id


#: Channels whose completion time is measured from opening the form to submitting it.
TIMED_CHANNELS = (Channel.qr.value, Channel.interview.value, Channel.wjx.value, Channel.tencent.value)


class ReviewError(ValueError):
    pass


@dataclass
class NewResponse:
    """A response about to be stored: answers already checked by validate_answers."""

    answers: dict
    channel: str = Channel.qr.value
    complete: bool = True
    started_at: datetime | None = None
    finished_at: datetime | None = None
    device_hash: str | None = None
    #: 1 for the device's first answer, 2.. for answers given for family members.
    device_slot: int | None = None
    #: The form's idempotency key: a second post of the same form stores nothing.
    submission_key: str | None = None
    interviewer_id: int | None = None
    #: Owner of the draft this response finishes (deleted in the same transaction).
    draft_owner: str | None = None
    serial: str | None = None
    extra: dict = field(default_factory=dict)


def _build(campaign: Campaign, questionnaire, new: NewResponse) -> Response:
    finished = new.finished_at or utcnow()
    answers = new.answers
    return Response(
        campaign_id=campaign.id,
        questionnaire=questionnaire.name,
        questionnaire_version=questionnaire.version,
        questionnaire_hash=questionnaire.content_hash,
        channel=new.channel,
        device_hash=new.device_hash,
        # A caller that does not count slots (demo, import of phone answers) gives the first.
        device_slot=(new.device_slot or 1) if new.device_hash else None,
        submission_key=new.submission_key,
        interviewer_id=new.interviewer_id,
        serial=new.serial,
        started_at=new.started_at,
        finished_at=finished,
        duration_seconds=quality.duration_seconds(new.started_at, finished) if new.channel in TIMED_CHANNELS else None,
        answers=answers,
        complete=new.complete,
        community=answers.get(quality.COMMUNITY_QUESTION),
        straightlining=quality.is_straightlining(questionnaire, answers),
        exclusion=quality.static_exclusion(questionnaire, answers, new.complete),
    )


def _store_statement(dialect: str):
    """The response's INSERT, which inserts nothing when a unique constraint refuses the row
    (the same form stored already, or the device's slot taken) and returns its id, built once
    per dialect (direct_sql.prepared); every column's value is given (the model has set its
    defaults), so the row is the one a flush writes. On PostgreSQL the same statement also
    adds the answer's tallies and deletes the finished draft, each only if the row went in
    (data-modifying CTEs): storing an answer is one statement, atomic by itself."""
    table = Response.__table__
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    values = {column: bindparam(column.key, type_=column.type) for column in table.columns if column.key != "id"}
    statement = insert(table).values(values).on_conflict_do_nothing().returning(table.c.id)
    if dialect != "postgresql":
        return statement, None
    stored = statement.cte("stored")
    draft = AnswerDraft.__table__
    dropped = (delete(draft).where(draft.c.campaign_id == bindparam("campaign_id"),
                                   draft.c.owner == bindparam("draft_owner", type_=draft.c.owner.type),
                                   exists(select(stored.c.id)))
               .cte("dropped"))
    return select(stored.c.id).add_cte(tallies.after_insert(stored), dropped), None


def _delete_draft(_dialect: str):
    return DELETE_DRAFT, None


def _stored_form(_dialect: str):
    table = Response.__table__
    return select(table.c.id).where(table.c.campaign_id == bindparam("campaign_id"),
                                    table.c.submission_key == bindparam("key")), None


@cache
def _text_columns() -> tuple[tuple[str, bool], ...]:
    """Each written column of a response, with whether it holds text (cleaned by db.scrubbed,
    as the flush-time backstop would: the row is written past the unit of work)."""
    return tuple((column.key, is_text_column(column)) for column in Response.__table__.columns if column.key != "id")


def needs_session(questionnaire) -> bool:
    """Whether storing an answer to ``questionnaire`` writes more than the response, its
    tallies and its draft (a merchant's answer builds an outlet, through the Session)."""
    return questionnaire.name in MERCHANT_QUESTIONNAIRES


def store_response(connection: DirectConnection, campaign: Campaign, questionnaire, new: NewResponse) -> Response:
    """Store one response, its tallies and the removal of its draft, all or nothing, on
    ``connection`` (a request's direct connection, or a Session's: then the response is also
    attached to that Session as stored, and a merchant's outlet is built there; see
    needs_session).

    On PostgreSQL this is one statement (see _store_statement), on SQLite one transaction. A
    device slot already taken, or a form already stored (same submission key), is refused by
    the database's unique constraints, not by a racy check beforehand: AlreadyStored when
    the same form was stored, AlreadyAnswered when the slot is taken."""
    response = _build(campaign, questionnaire, new)
    values = {key: scrubbed(getattr(response, key)) if text else getattr(response, key)
              for key, text in _text_columns()}
    rows = tallies.rows_of(tallies.count(questionnaire, [response]))
    postgresql_ = connection.dialect.name == "postgresql"
    try:
        if postgresql_:
            values.update(tallies.rows_param(rows), draft_owner=new.draft_owner)
        row = connection.first(_store_statement, values)
        if row is not None:
            response.id = row[0]
            if not postgresql_:
                if rows:
                    connection.run_many(tallies.direct_upsert, tallies.values_of(campaign.id, rows))
                if new.draft_owner:
                    connection.run(_delete_draft, {"campaign_id": campaign.id, "owner": new.draft_owner})
            if connection.session is not None:
                make_transient_to_detached(response)
                connection.session.add(response)
                outlets_from_responses(connection.session, campaign, questionnaire, [response])
            connection.commit()
            return response
    except BaseException:
        connection.rollback()
        raise
    connection.rollback()
    if new.submission_key:
        earlier = connection.first(_stored_form, {"campaign_id": campaign.id, "key": new.submission_key})
        if earlier is not None:
            raise AlreadyStored(earlier[0])
    raise AlreadyAnswered()


def record_response(session: Session, campaign: Campaign, questionnaire, new: NewResponse) -> Response:
    """store_response in ``session``'s transaction, the response attached to it as stored."""
    return store_response(DirectConnection(session=session), campaign, questionnaire, new)


def record_many(session: Session, campaign: Campaign, questionnaire, items: list[NewResponse]) -> list[Response]:
    """Store many responses (paper import, demo) in one transaction, all or nothing.

    Paper serial numbers already used in this campaign, or earlier in ``items``, make the
    later response a duplicate (kept, excluded, pointing at the first).
    """
    responses = [_build(campaign, questionnaire, new) for new in items]
    serials = [r.serial for r in responses if r.serial]
    first_with_serial: dict[str, int] = {}
    distinct = sorted(set(serials))
    for start in range(0, len(distinct), SERIAL_LOOKUP_CHUNK):  # stay under the drivers' parameter limits
        rows = session.exec(
            select(Response.serial, Response.id)
            .where(Response.campaign_id == campaign.id,
                   Response.serial.in_(distinct[start:start + SERIAL_LOOKUP_CHUNK]))
            .order_by(Response.id)
        ).all()
        for serial, response_id in rows:
            first_with_serial.setdefault(serial, response_id)
    session.add_all(responses)
    try:
        session.flush()
        for response in responses:
            if not response.serial:
                continue
            first = first_with_serial.setdefault(response.serial, response.id)
            if first != response.id:
                response.duplicate_of = first
                if response.exclusion is None:
                    response.exclusion = Exclusion.duplicate.value
        session.flush()
        tallies.apply(session, campaign.id, tallies.count(questionnaire, responses))
        outlets_from_responses(session, campaign, questionnaire, responses)  # merchant questionnaires only
        session.commit()
    except Exception:
        session.rollback()
        raise
    return responses


def exclude_response(session: Session, questionnaire, response: Response, reason: str, note: str = "",
                     user_id: int | None = None) -> Response:
    """The assessor excludes a counted response (e.g. confirmed straight-lining)."""
    if reason not in {Exclusion.straightlining.value, Exclusion.manual.value, Exclusion.duplicate.value,
                      Exclusion.outside.value, Exclusion.incomplete.value}:
        raise ReviewError(f"未知的剔除原因: {reason}")
    if response.exclusion is not None:
        raise ReviewError("这份问卷已经被剔除了")
    change = tallies.count(questionnaire, [response], sign=-1)
    _audit_review(session, response, "response.exclude", f"剔除问卷 #{response.id}", reason, note)
    response.exclusion = reason
    change.update(tallies.count(questionnaire, [response]))
    _save_review(session, response, "exclude", reason, note, user_id, change)
    return response


def restore_response(session: Session, questionnaire, response: Response, note: str = "",
                     user_id: int | None = None) -> Response:
    """The assessor counts a response again; the completion-time rule no longer applies to it."""
    if response.exclusion is None and response.speed_exempt:
        raise ReviewError("这份问卷已经计入有效样本")
    change = tallies.count(questionnaire, [response], sign=-1)
    _audit_review(session, response, "response.restore", f"恢复问卷 #{response.id} 为有效", None, note)
    response.exclusion = None
    response.speed_exempt = True
    change.update(tallies.count(questionnaire, [response]))
    _save_review(session, response, "restore", "restored", note, user_id, change)
    return response


def _audit_review(session, response: Response, action: str, summary: str, reason, note: str) -> None:
    campaign = session.get(Campaign, response.campaign_id)
    record(session, action, summary=summary, target_type="response", target_id=response.id,
           circle_id=campaign.circle_id if campaign else None,
           before={"exclusion": response.exclusion, "speed_exempt": response.speed_exempt},
           after={"exclusion": reason, "speed_exempt": response.speed_exempt if reason else True,
                  "note": (note or "")[:500]})


def _save_review(session, response, action, reason, note, user_id, change: Counter) -> None:
    session.add(response)
    session.add(ResponseReview(response_id=response.id, action=action, reason=reason,
                               note=(note or "")[:500], user_id=user_id))
    tallies.apply(session, response.campaign_id, change)
    session.commit()


def rebuild_tallies(session: Session, questionnaire, campaign: Campaign) -> int:
    responses = session.exec(select(Response).where(Response.campaign_id == campaign.id)).all()
    tallies.rebuild(session, questionnaire, campaign.id, responses)
    session.commit()
    return len(responses)
