"""Reads for the fieldwork table of the campaign dashboard: per interviewer, and the
resident-answered (QR) responses beside them for comparison."""
from __future__ import annotations

from sqlmodel import Session, select

from ..analysis.fieldwork import FieldworkRecord, fieldwork_rows
from ..models import Channel, Response, User

#: The comparison row: responses residents gave on their own phones.
QR_GROUP = ("channel", Channel.qr.value)


def _record(group, likert, duration, straightlining, answers) -> FieldworkRecord:
    given = [answers.get(q.name) for q in likert if answers.get(q.name) not in (None, "")]
    dont_know = sum(1 for q in likert if answers.get(q.name) not in (None, "") and answers.get(q.name) in q.dont_know)
    return FieldworkRecord(group, duration, bool(straightlining), len(given), dont_know)


def fieldwork_table(session: Session, campaign_id: int, questionnaire) -> list[dict]:
    """Rows ``{label, interviewer, responses, suppressed, median_seconds, straightlining_share,
    dont_know_share}``: each interviewer of the campaign, then the QR responses."""
    likert = [q for q in questionnaire.questions if q.type == "likert5"]
    rows = session.exec(
        select(Response.interviewer_id, Response.channel, Response.duration_seconds, Response.straightlining,
               Response.answers)
        .where(Response.campaign_id == campaign_id,
               Response.channel.in_((Channel.interview.value, Channel.qr.value)))
        .order_by(Response.id)
    ).all()
    records = []
    for interviewer_id, channel, duration, straightlining, answers in rows:
        group = ("interviewer", interviewer_id) if channel == Channel.interview.value else QR_GROUP
        records.append(_record(group, likert, duration, straightlining, answers or {}))
    ids = [g[1] for g in {r.group for r in records} if g[0] == "interviewer" and g[1] is not None]
    names = {}
    if ids:
        names = {u.id: u.display_name or u.username for u in session.exec(select(User).where(User.id.in_(ids)))}
    table = []
    results = fieldwork_rows(records)
    results.sort(key=lambda row: (row.group == QR_GROUP, str(names.get(row.group[1], ""))))
    for row in results:
        kind, key = row.group
        if kind == "interviewer":
            label = names.get(key, "（账号已删除）")
        else:
            label = "居民自己扫码填写（对照）"
        table.append({"label": label, "interviewer": kind == "interviewer", **row.to_dict()})
    return table
