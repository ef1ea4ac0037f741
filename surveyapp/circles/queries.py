"""Reads for circles."""
from __future__ import annotations

from sqlalchemy import bindparam
from sqlmodel import Session, select

from ..models import Circle, Community


def communities_of(session: Session, circle_id: int) -> list[Community]:
    return list(session.exec(select(Community).where(Community.circle_id == circle_id).order_by(Community.id)))


_NAMES = select(Community.name).where(Community.circle_id == bindparam("circle_id")).order_by(Community.id)


def community_names(session: Session, circle_id: int) -> list[str]:
    """Names only, by a statement built once (every page of a resident's answer reads them),
    run on the session's connection: plain values need none of the ORM's row handling."""
    return list(session.connection().execute(_NAMES, {"circle_id": circle_id}).scalars())


def visible_circles(session: Session, user) -> list[Circle]:
    """The circles ``user`` may see (admins: all), in registration order."""
    from ..auth.users import visible_circle_ids

    ids = visible_circle_ids(session, user)
    query = select(Circle).order_by(Circle.id)
    if ids is not None:
        query = query.where(Circle.id.in_(ids))
    return list(session.exec(query))


def get_circle(session: Session, circle_id: int) -> Circle | None:
    return session.get(Circle, circle_id)


def community_choices(session: Session, circle_id: int) -> list[str]:
    """What a respondent can answer to "which community do you live in": the circle's
    communities, then "none of these" (which makes the response ineligible)."""
    return choices_of(community_names(session, circle_id))


def choices_of(names) -> list[str]:
    """The choices of the community question given the circle's community names (in order)."""
    from ..responses.quality import OUTSIDE_COMMUNITY

    return [*names, OUTSIDE_COMMUNITY]


def community_names_aggregate(dialect: str):
    """The circle's community names as one JSON object {community id: name}, for a statement
    that reads them together with other values (the resident's request reads them with its
    campaign); :func:`names_from_aggregate` puts them in order. Correlated on Campaign's
    circle. (SQLite 3.40 has no ORDER BY inside an aggregate: ordered by id afterwards.)"""
    from sqlalchemy import JSON, func

    from ..models import Campaign

    aggregate = func.json_object_agg if dialect == "postgresql" else func.json_group_object
    return (select(aggregate(Community.id, Community.name, type_=JSON))
            .where(Community.circle_id == Campaign.circle_id).scalar_subquery())


def names_from_aggregate(value) -> list[str]:
    """Community names in registration (id) order from :func:`community_names_aggregate`'s
    object (None for a circle without communities on PostgreSQL)."""
    return [name for _id, name in sorted((value or {}).items(), key=lambda item: int(item[0]))]


def issued_report_numbers(session: Session, circle_id: int) -> list[str]:
    """Numbers of the reports issued for the circle (its campaigns' and its rounds'), not
    withdrawn: editing the circle must say these stay as issued."""
    from sqlalchemy import or_

    from ..models import Campaign, Evaluation, IssuedReport

    campaign_ids = select(Campaign.id).where(Campaign.circle_id == circle_id)
    evaluation_ids = select(Evaluation.id).where(Evaluation.circle_id == circle_id)
    query = (select(IssuedReport.report_number)
             .where(or_(IssuedReport.campaign_id.in_(campaign_ids), IssuedReport.evaluation_id.in_(evaluation_ids)),
                    IssuedReport.withdrawn_at.is_(None))
             .order_by(IssuedReport.id))
    return list(session.exec(query))


def circle_names(session: Session) -> set[str]:
    """Names of all registered circles, seen by the importing user or not: an import refuses
    them (a list imported twice, or a name another firm's circle has; see
    ``operations.NAME_TAKEN``)."""
    return set(session.exec(select(Circle.name)))


def age_bands() -> list[tuple[str, str]]:
    """(code, label) of the resident questionnaire's age question, the bands a circle's age
    structure is given in (the weighting matches answers to them); empty without one."""
    from ..questionnaire import QuestionnaireError
    from ..questionnaire.registry import UnknownQuestionnaire, current_questionnaire
    from ..results.summary import AGE_QUESTION

    try:
        questionnaire = current_questionnaire("resident")
    except (UnknownQuestionnaire, QuestionnaireError):
        return []
    if AGE_QUESTION not in questionnaire:
        return []
    return [(choice.name, choice.label) for choice in questionnaire.question(AGE_QUESTION).choices_for()]
