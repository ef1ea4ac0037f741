"""Keeping AnswerTally in step with the responses (see models/tally.py for the layout)."""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from functools import cache

from sqlalchemy import Integer, Text, bindparam, cast, column, func, literal_column, select, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, delete

from ..models import AnswerTally, Response
from ..models.response import SPEED_RULE_CHANNELS

#: Single-choice questions every likert item is also counted within (when present).
GROUP_QUESTIONS = ("community", "age_band")
TALLIED_TYPES = ("select_one", "likert5", "integer", "select_multiple")
RESPONSE_KEY = "__response__"
EXCLUDED_KEY = "__excluded__"
FLAG_KEY = "__flag__"
CHANNEL_KEY = "__channel__"
#: FLAG_KEY code of a response given from a device that had already answered (the shared phone).
HOUSEHOLD_EXTRA = "household_extra"
ANSWERED_CODE = "__answered__"
EXEMPT = -1  # duration bucket of responses the speed rule does not apply to
#: Answers of online responses quicker than this many seconds are counted per second.
#: The cut-off (a third of the median) is below it whenever the median is under six
#: minutes; above, the reader falls back to the rows (see results/tallies.py).
FAST_HORIZON = 120
_CHUNK = 400


def duration_bucket(response: Response) -> int:
    if response.speed_exempt or response.channel not in SPEED_RULE_CHANNELS or response.duration_seconds is None:
        return EXEMPT
    return response.duration_seconds


def tally_keys(questionnaire, response: Response) -> list[tuple[str, str, str, str, int]]:
    """The tally rows one response adds to (before any sign)."""
    if response.exclusion is not None:
        return [(EXCLUDED_KEY, response.exclusion, "", "", EXEMPT)]
    answers = response.answers
    # The per-response row keeps the exact duration (the histogram the median comes from);
    # answers keep it only when it is short enough to ever be "too fast", so that the
    # too-fast ones can be left out when reading without the rows multiplying.
    duration = duration_bucket(response)
    keys = [(RESPONSE_KEY, "", "", "", duration)]
    bucket = duration if duration < FAST_HORIZON else EXEMPT
    keys.append((CHANNEL_KEY, response.channel, "", "", bucket))
    if response.straightlining:
        keys.append((FLAG_KEY, "straightlining", "", "", bucket))
    if (response.device_slot or 0) > 1:
        keys.append((FLAG_KEY, HOUSEHOLD_EXTRA, "", "", bucket))
    groups = [(g, str(answers[g])) for g in GROUP_QUESTIONS if answers.get(g) not in (None, "")]
    for question in questionnaire.questions:
        value = answers.get(question.name)
        if question.type not in TALLIED_TYPES or value in (None, "", []):
            continue
        if question.type == "select_multiple":
            keys.append((question.name, ANSWERED_CODE, "", "", bucket))
            keys.extend((question.name, str(code), "", "", bucket) for code in value)
            continue
        keys.append((question.name, str(value), "", "", bucket))
        if question.type == "likert5":
            keys.extend((question.name, str(value), g, v, bucket) for g, v in groups if g != question.name)
    return keys


_KEY_COLUMNS = ("question", "code", "group_question", "group_value", "duration")


@cache
def _upsert(dialect: str):
    """The tally upsert for ``dialect``: one statement built once per process, so SQLAlchemy
    compiles it once and reuses the compiled form on every later request, whatever the number
    of rows. SQLite runs it with a list of rows (executemany, in the process); PostgreSQL
    takes the rows as one JSON array of rows (see rows_param), taken apart by the server: one
    statement and one round trip, where an executemany sends (and the server plans and runs)
    a statement per row, about 60 for a resident's answer."""
    if dialect == "postgresql":
        return _added(_insert_rows())
    return _added(sqlite.insert(AnswerTally.__table__))


def direct_upsert(dialect: str):
    """The tally upsert and the columns it is given, for direct_sql.prepared (SQLite's is run
    with one parameter set per row: see values_of)."""
    return _upsert(dialect), ["campaign_id", *_KEY_COLUMNS, "n"]


def _insert_rows(inserted=None):
    """PostgreSQL's insert of the rows given as one JSON array (see _unnested), for the campaign
    ``campaign_id``; with ``inserted`` (a CTE), once per row it gives (none if it gives none)."""
    table = AnswerTally.__table__
    rows, values = _unnested(table)
    source = select(bindparam("campaign_id", type_=table.c.campaign_id.type), *values)
    source = source.select_from(rows) if inserted is None else source.select_from(inserted).join(rows, true())
    return postgresql.insert(table).from_select(["campaign_id", *_KEY_COLUMNS, "n"], source)


def _unnested(table):
    """The rows given as one JSON array of rows (the ``rows`` parameter), as a table of the
    tally's columns. One text parameter, where one array per column cost psycopg's (pure
    Python) array dumper 0.75 ms of CPU per answer against 0.2 ms (measured, 62 rows)."""
    elements = (func.json_array_elements(cast(bindparam("rows", type_=Text), postgresql.JSON))
                .table_valued(column("value", postgresql.JSON)).render_derived("rows"))
    value = elements.c.value
    # Text, not the columns' VARCHAR(n): an explicit cast would cut a value too long, where
    # the insert refuses it, as it does any other write.
    return elements, [cast(value.op("->>")(literal_column(str(position))),
                           Integer if isinstance(table.c[name].type, Integer) else Text)
                      for position, name in enumerate((*_KEY_COLUMNS, "n"))]


def _added(statement):
    """``statement`` (an insert of tally rows) adding to the rows already there."""
    return statement.on_conflict_do_update(
        index_elements=["campaign_id", *_KEY_COLUMNS],
        set_={"n": AnswerTally.__table__.c.n + statement.excluded.n},
    )


def rows_of(counts: Counter) -> list[tuple]:
    """The tally rows of ``counts`` (key → signed count) that change anything, in key order, so
    that two transactions adding to the same rows lock them in the same order (no deadlock
    between concurrent submissions)."""
    return [(*key, n) for key, n in sorted(counts.items()) if n]


def rows_param(rows: list[tuple]) -> dict[str, str]:
    """``rows`` as PostgreSQL's upsert takes them (see _unnested), in the same order."""
    return {"rows": json.dumps(rows, ensure_ascii=False)}


def values_of(campaign_id: int, rows: list[tuple]) -> list[dict]:
    """``rows`` as the parameter sets of SQLite's upsert, one per row."""
    return [{"campaign_id": campaign_id, **dict(zip((*_KEY_COLUMNS, "n"), row))} for row in rows]


def after_insert(inserted):
    """PostgreSQL's tally upsert as a CTE adding its rows only if ``inserted`` (a CTE of an
    INSERT … RETURNING) gave a row: the answer's tallies go in the statement that stores it
    (responses.operations.store_response), and a refused answer adds none."""
    return _added(_insert_rows(inserted)).cte("tallied")


def apply(session: Session, campaign_id: int, counts: Counter) -> None:
    """Add ``counts`` (key → signed count) to the campaign's tallies, as upserts in the
    session's transaction (rows in key order, see rows_of)."""
    rows = rows_of(counts)
    if not rows:
        return
    connection = session.connection()
    statement = _upsert(connection.dialect.name)
    for start in range(0, len(rows), _CHUNK):
        chunk = rows[start:start + _CHUNK]
        if connection.dialect.name == "postgresql":
            connection.execute(statement, {"campaign_id": campaign_id, **rows_param(chunk)})
        else:
            connection.execute(statement, values_of(campaign_id, chunk))


def count(questionnaire, responses: Iterable[Response], sign: int = 1) -> Counter:
    counts: Counter = Counter()
    for response in responses:
        for key in tally_keys(questionnaire, response):
            counts[key] += sign
    return counts


def rebuild(session: Session, questionnaire, campaign_id: int, responses: Iterable[Response]) -> None:
    """Recount a campaign from its stored responses (repair, or after a migration)."""
    session.execute(delete(AnswerTally).where(AnswerTally.campaign_id == campaign_id))
    apply(session, campaign_id, count(questionnaire, responses))
