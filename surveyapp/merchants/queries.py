"""Reads of the outlet inventory: the list the assessor works on, the duplicates to resolve,
the merchant summary and the facts suggested to an evaluation."""
from __future__ import annotations

from sqlmodel import Session, select

from ..models import Campaign, Outlet, OutletStatus
from ..questionnaire import QuestionnaireError, default_catalogue_path, load_catalogue
from . import derive
from .operations import MERCHANT_QUESTIONNAIRES


def outlets_of(session: Session, circle_id: int, include_merged: bool = False) -> list[Outlet]:
    query = select(Outlet).where(Outlet.circle_id == circle_id)
    if not include_merged:
        query = query.where(Outlet.status != OutletStatus.merged.value)
    return list(session.exec(query.order_by(Outlet.type_code, Outlet.name, Outlet.id)).all())


def pending_duplicates(outlets: list[Outlet]) -> list[tuple[Outlet, Outlet]]:
    """(possible duplicate, the outlet it looks like), for the assessor to resolve."""
    by_id = {o.id: o for o in outlets}
    return [(o, by_id[o.possible_duplicate_of]) for o in outlets
            if o.possible_duplicate_of is not None and o.possible_duplicate_of in by_id]


def merchant_campaigns(session: Session, circle_id: int) -> list[Campaign]:
    return list(session.exec(select(Campaign).where(Campaign.circle_id == circle_id,
                                                    Campaign.questionnaire.in_(MERCHANT_QUESTIONNAIRES))
                             .order_by(Campaign.id.desc())).all())


def summary_with_labels(outlets: list[Outlet], labels: dict[str, dict[str, str]]) -> dict:
    """The merchant results (derive.merchant_summary) of ``outlets``, with Chinese labels
    (``labels`` keys: ``types``, ``difficulties``, ``support_wanted``)."""
    return derive.merchant_summary(outlets, labels.get("types", {}), labels.get("difficulties", {}),
                                   labels.get("support_wanted", {}))


def summary(session: Session, circle_id: int, labels: dict[str, dict[str, str]]) -> dict:
    return summary_with_labels(outlets_of(session, circle_id), labels)


def presence_suggestions(session: Session, circle_id: int) -> dict[str, int]:
    """Catalogue code → counted outlets of that type (for the 有没有 inventory)."""
    return derive.types_present(derive.counted(outlets_of(session, circle_id)))


def fact_suggestions(session: Session, circle_id: int) -> dict[str, dict[str, derive.Suggestion]]:
    return derive.suggested_facts(outlets_of(session, circle_id))


def pending_count(session: Session, circle_id: int) -> int:
    return len(pending_duplicates(outlets_of(session, circle_id)))


LABELLED = ("addon_services", "repair_categories", "market_facilities", "difficulties", "support_wanted",
            "promotion_events")


def labels() -> dict[str, dict[str, str]]:
    """Chinese labels of outlet types (``types``) and of the merchant questionnaire's choices,
    from the app's merchant questionnaire; types fall back to the default catalogue when the
    app has none. Needs an app context."""
    from ..questionnaire.registry import UnknownQuestionnaire, current_questionnaire

    try:
        questionnaire = current_questionnaire("merchant")
    except (UnknownQuestionnaire, QuestionnaireError):
        questionnaire = None
    found: dict[str, dict[str, str]] = {}
    if questionnaire is not None and "outlet_type" in questionnaire:
        found["types"] = {c.name: c.label for c in questionnaire.question("outlet_type").choices_for(())}
    else:
        found["types"] = {e.code: e.label for e in load_catalogue(default_catalogue_path()).entries}
    for name in LABELLED:
        if questionnaire is not None and name in questionnaire:
            found[name] = {c.name: c.label for c in questionnaire.question(name).choices_for(())}
    return found


def report_summary(session: Session, circle_id: int) -> dict | None:
    """The merchant summary for the report, or None when the circle has no counted outlet (the
    report then has no merchant chapter and its data are unchanged)."""
    outlets = outlets_of(session, circle_id)
    if not derive.counted(outlets):
        return None
    return summary_with_labels(outlets, labels())


def campaign_outlets(session: Session, campaign: Campaign) -> dict:
    """The outlets a merchant campaign's answers created or updated, and those of them still
    waiting for the assessor to merge or separate (for the merchant campaign's dashboard)."""
    from ..models import Response

    outlets = outlets_of(session, campaign.circle_id, include_merged=True)
    mentioned = {rid for o in outlets for rid in o.response_ids}
    ours = set(session.exec(select(Response.id).where(Response.campaign_id == campaign.id,
                                                      Response.id.in_(mentioned))).all()) if mentioned else set()
    fed = [o for o in outlets if ours.intersection(o.response_ids)]
    return {
        "outlets": [o for o in fed if o.status != OutletStatus.merged.value],
        "merged": sum(1 for o in fed if o.status == OutletStatus.merged.value),
        "duplicates": [o for o in fed if o.possible_duplicate_of is not None and o.status != OutletStatus.merged.value],
        "answers_used": len(ours),
        "type_labels": labels()["types"],
    }
