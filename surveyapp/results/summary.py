"""The campaign summary: the contract document of DESIGN.md, plus what an assessor needs
beside it (detail items, breakdowns, weights, reliability, drivers, demand).

Counts come from the answer tallies; only Cronbach's alpha and the key drivers need whole
answer patterns, and they read at most MAX_PATTERN_ROWS valid rows (a systematic sample
beyond that, said in the document). Those two are kept per process for the campaign's
response state (see :func:`_response_state`): the drivers' profile-likelihood intervals take
some hundred logistic fits, and a dashboard read again with no new answer need not redo them.
"""
from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from fractions import Fraction

import numpy as np
from sqlalchemy import func, or_
from sqlmodel import Session, select

from .. import analysis
from ..models.response import SPEED_RULE_CHANNELS
from ..memo import ProcessMemo
from ..models import Campaign, Circle, Community, Response, ResponseReview
from ..questionnaire.kinds import survey_kind
from ..questionnaire.registry import UnknownQuestionnaire, questionnaire_by_hash
from ..responses.quality import COMMUNITY_QUESTION, SCORED_INDICATORS, detail_items
from ..responses.tallies import CHANNEL_KEY
from .tallies import TOO_FAST_FRACTION, CampaignTallies, load, load_many

INDICATOR_LABELS = {"business_satisfaction": "业态满意", "service_satisfaction": "服务满意"}
#: Questions residents' answers are broken down by, when the questionnaire has them.
BREAKDOWN_QUESTIONS = ("community", "age_band")
AGE_QUESTION = "age_band"
#: Groups smaller than this never show a figure (PIPL; DESIGN.md).
MIN_GROUP = 5
MAX_PATTERN_ROWS = 5000
EXCLUSION_LABELS = {
    "incomplete": "未答完必答题", "outside": "不住在本生活圈", "duplicate": "重复提交",
    "too_fast": "答题时间过短", "straightlining": "所有细项同一答案（已确认）", "manual": "评价机构剔除",
}


def _has(questionnaire, name: str) -> bool:
    return any(q.name == name for q in questionnaire.questions)


def overall_question(questionnaire, indicator: str):
    """The overall item that scores ``indicator`` (the first question naming it)."""
    questions = questionnaire.indicator_questions(indicator)
    return questions[0] if questions else None


def _indicator(tallies: CampaignTallies, question, label, population, sample_met, weights=None):
    options = dict(label=label, satisfied_codes=question.satisfied, dont_know_codes=question.dont_know,
                   population=population, sample_met=sample_met)
    if weights:
        strata = tallies.grouped(question.name, AGE_QUESTION)
        return analysis.weighted_satisfaction_indicator(strata, weights, **options).to_dict()
    return analysis.satisfaction_indicator(tallies.counts(question.name), **options).to_dict()


def scored_questions(questionnaire) -> tuple[str, ...]:
    """The questions the light summary reads (the overall item of each scored indicator)."""
    found = (overall_question(questionnaire, indicator) for indicator in SCORED_INDICATORS)
    return tuple(question.name for question in found if question is not None)


def light_summary(circle: Circle, campaign: Campaign, questionnaire, tallies: CampaignTallies, *,
                  sample_rate) -> dict:
    """The contract part of the summary (campaign, sample, scored indicators) from tallies
    already read: the campaign page and the city overview of 60 circles both come here, so
    the overview shows exactly the dashboard's figures."""
    kind = survey_kind(campaign.kind)
    check = analysis.check_sample(circle.population, tallies.valid, tallies.excluded, rate=sample_rate)
    sample = check.to_dict()
    sample["applies"] = kind.feeds_satisfaction
    sample["advisory"] = analysis.advisory_sample_size(circle.population)
    # The shared phone: answers given for family members on a device that had already
    # answered count as valid; the sample is also judged without them, for the assessor.
    extra = tallies.household_extra
    without = analysis.check_sample(circle.population, tallies.valid - extra, rate=sample_rate)
    sample["household_extra"] = extra
    sample["without_household_extra"] = {"valid": without.valid, "met": without.met, "shortfall": without.shortfall}
    if not kind.feeds_satisfaction:
        sample.update(rate=None, required=None, met=None, shortfall=None, advisory=None,
                      without_household_extra=None)

    indicators = {}
    for indicator in SCORED_INDICATORS if kind.feeds_satisfaction else ():
        question = overall_question(questionnaire, indicator)
        if question is not None:
            indicators[indicator] = _indicator(tallies, question, INDICATOR_LABELS[indicator],
                                               circle.population, check.met)
    return {
        "campaign": {"id": campaign.id, "circle": circle.id, "questionnaire": campaign.questionnaire,
                     "version": campaign.questionnaire_version, "kind": kind.code},
        "sample": sample,
        "indicators": indicators,
    }


def light_summaries(session: Session, campaigns, *, sample_rate,
                    too_fast_fraction=TOO_FAST_FRACTION) -> dict[int, dict]:
    """:func:`light_summary` of many campaigns in a fixed number of queries (their circles, their
    questionnaires, their tallies at once): the survey list and the city overview show 60
    circles' figures without reading any response. Each carries its questionnaire's title; a
    campaign whose questionnaire is unknown is left out."""
    campaigns = list(campaigns)
    if not campaigns:
        return {}
    circles = {c.id: c for c in session.exec(
        select(Circle).where(Circle.id.in_({campaign.circle_id for campaign in campaigns}))).all()}
    questionnaires = {}
    for campaign in campaigns:
        try:
            questionnaires[campaign.id] = questionnaire_by_hash(session, campaign.questionnaire_hash)
        except UnknownQuestionnaire:
            continue
    tallies = load_many(session, questionnaires,
                        {cid: scored_questions(q) for cid, q in questionnaires.items()}, too_fast_fraction)
    summaries = {}
    for campaign in campaigns:
        if campaign.id in tallies:
            questionnaire = questionnaires[campaign.id]
            summary = light_summary(circles[campaign.circle_id], campaign, questionnaire, tallies[campaign.id],
                                    sample_rate=sample_rate)
            summary["campaign"]["title"] = questionnaire.title
            summaries[campaign.id] = summary
    return summaries


def campaign_summary(session: Session, campaign: Campaign, questionnaire, *, sample_rate,
                     too_fast_fraction=TOO_FAST_FRACTION, detail: bool = True, patterns: bool = True) -> dict:
    """``sample_rate`` is the rules file's ``service.sample_rate`` (the one source of the rule).

    ``patterns=False`` leaves out the statistics of whole answer patterns (reliability, key
    drivers: hundreds of model fits after every new answer) for a reader that shows none of them.

    Only surveys whose kind feeds satisfaction (residents) have the sample rule and the scored
    indicators; for the others ``sample.applies`` is false, ``rate``/``required``/``met`` are
    null and ``indicators`` is empty."""
    circle = session.get(Circle, campaign.circle_id)
    tallies = load(session, campaign.id, questionnaire, too_fast_fraction)
    document = light_summary(circle, campaign, questionnaire, tallies, sample_rate=sample_rate)
    sample = document["sample"]
    check = analysis.check_sample(circle.population, tallies.valid, tallies.excluded, rate=sample_rate)
    if not detail:
        return document

    communities = session.exec(select(Community).where(Community.circle_id == circle.id)
                               .order_by(Community.id)).all()
    if communities and _has(questionnaire, COMMUNITY_QUESTION):
        observed = tallies.counts(COMMUNITY_QUESTION)
        coverage = analysis.community_coverage(
            {c.name: observed.get(c.name, 0) for c in communities}, {c.name: c.population for c in communities})
        sample["coverage"] = coverage.to_dict()
    document["campaign"].update({
        "circle_name": circle.name, "hash": campaign.questionnaire_hash, "title": questionnaire.title,
        "channels": tallies.counts(CHANNEL_KEY),
        "opens_at": campaign.opens_at.isoformat(), "closes_at": campaign.closes_at.isoformat() if campaign.closes_at else None,
    })
    document["quality"] = {
        "median_seconds": tallies.median_seconds,
        "too_fast_cutoff_seconds": tallies.cutoff_seconds,
        "too_fast_fraction": float(Fraction(too_fast_fraction)),
        "flagged_straightlining": tallies.flagged_straightlining,
        "exclusion_labels": EXCLUSION_LABELS,
    }
    document["details"] = [
        {"name": q.name, "group": q.indicator, **_detail(tallies, q, circle.population, bool(check.met))}
        for q in detail_items(questionnaire)
    ]
    document["breakdowns"] = _breakdowns(tallies, questionnaire, [c.name for c in communities])
    document["weighted"] = _weighted(tallies, questionnaire, circle, check.met)
    document["demand"] = _demand(tallies, questionnaire)
    document["walking"] = _walking(tallies, questionnaire)
    document["distributions"] = _distributions(tallies, questionnaire)
    if patterns:
        document.update(_pattern_statistics(session, campaign, questionnaire, tallies))
    return document


def _detail(tallies, question, population, sample_met: bool) -> dict:
    item = analysis.satisfaction_indicator(
        tallies.counts(question.name), label=question.label, satisfied_codes=question.satisfied,
        dont_know_codes=question.dont_know, population=population, sample_met=sample_met).to_dict()
    for key in ("points", "max_points"):
        item.pop(key)
    return item


def _group_label(questionnaire, group_question: str, value: str) -> str:
    question = questionnaire.question(group_question)
    if question.dynamic_choices:
        return value
    return question.choice_label(value) or value


def _in_choice_order(questionnaire, group_question: str, groups: dict, communities: Sequence[str]) -> dict:
    """``groups`` in the order the resident's form lists the choices (18–29岁 before 30–44岁 …;
    a circle's communities in the circle's order), then any other value by name: tallies come
    in no set order, and a table or chart of age bands must not put 70岁及以上 before 60–69岁."""
    choices = questionnaire.question(group_question).choices_for(communities)
    order = {choice.name: i for i, choice in enumerate(choices)}
    return dict(sorted(groups.items(), key=lambda item: (order.get(item[0], len(order)), item[0])))


def _breakdowns(tallies, questionnaire, communities: Sequence[str] = ()) -> dict:
    result = {}
    for indicator in SCORED_INDICATORS:
        question = overall_question(questionnaire, indicator)
        if question is None:
            continue
        result[indicator] = {}
        for group_question in BREAKDOWN_QUESTIONS:
            if not _has(questionnaire, group_question):
                continue
            groups = _in_choice_order(questionnaire, group_question, tallies.grouped(question.name, group_question),
                                      communities)
            table = analysis.crosstab(groups, question.satisfied, question.dont_know, min_group=MIN_GROUP).to_dict()
            for row in table["groups"]:
                row["label"] = _group_label(questionnaire, group_question, row["group"])
            result[indicator][group_question] = table
    return result


def _weighted(tallies, questionnaire, circle, sample_met) -> dict | None:
    if not circle.age_structure or not _has(questionnaire, AGE_QUESTION):
        return None
    sample_counts = tallies.counts(AGE_QUESTION)
    try:
        weights = analysis.poststratification_weights(sample_counts, circle.age_structure)
    except ValueError as exc:
        return {"error": str(exc)}
    result = {"weights": weights.to_dict(), "indicators": {}}
    for indicator in SCORED_INDICATORS:
        question = overall_question(questionnaire, indicator)
        if question is not None:
            result["indicators"][indicator] = _indicator(
                tallies, question, INDICATOR_LABELS[indicator], circle.population, sample_met, weights.weights)
    return result


def _demand(tallies, questionnaire) -> list[dict]:
    rankings = []
    for question in questionnaire.demand_questions():
        labels = {c.name: c.label for c in question.choices_for(())} if question.choices else {}
        respondents = tallies.answered(question.name) if question.type == "select_multiple" else \
            sum(tallies.counts(question.name).values())
        ranking = analysis.demand_ranking(tallies.counts(question.name), respondents, labels, min_group=MIN_GROUP)
        rankings.append({"name": question.name, "label": question.label, **ranking.to_dict()})
    return rankings


def _walking(tallies, questionnaire) -> list[dict]:
    result = []
    for question in questionnaire.questions:
        if question.type != "integer" or not question.name.startswith("walk"):
            continue
        histogram = {int(code): n for code, n in tallies.counts(question.name).items()}
        n = sum(histogram.values())
        within = sum(v for k, v in histogram.items() if k <= 15)
        entry = {"name": question.name, "label": question.label, "answered": n, "suppressed": n < MIN_GROUP}
        if n >= MIN_GROUP:
            from .tallies import median

            entry.update(median_minutes=median(histogram), within_15_minutes=within,
                         share_within_15=within / n)
            low, high = analysis.wilson_interval(within, n)
            entry.update(ci_low=low, ci_high=high)
        result.append(entry)
    return result


def _distributions(tallies, questionnaire) -> list[dict]:
    """Every tallied question with its valid answers per choice (the report's appendix)."""
    result = []
    for question in questionnaire.questions:
        if question.type not in ("select_one", "likert5", "select_multiple", "integer"):
            continue
        counts = tallies.counts(question.name)
        entry = {"name": question.name, "label": question.label, "type": question.type,
                 "section": question.section, "counts": counts}
        if question.type == "integer":
            entry["choices"] = [[code, code] for code in sorted(counts, key=int)]
        elif question.dynamic_choices:
            entry["choices"] = [[code, code] for code in sorted(counts)]
        else:
            entry["choices"] = [[c.name, c.label] for c in question.choices_for(())]
        entry["respondents"] = tallies.answered(question.name) if question.type == "select_multiple" \
            else sum(counts.values())
        result.append(entry)
    return result


def _pattern_rows(session, campaign, tallies, names) -> tuple[list[dict], bool]:
    """Answers of valid responses (too-fast ones left out), at most MAX_PATTERN_ROWS."""
    conditions = [Response.campaign_id == campaign.id, Response.exclusion.is_(None)]
    if tallies.cutoff_seconds is not None:
        conditions.append(or_(Response.channel.not_in(SPEED_RULE_CHANNELS), Response.speed_exempt.is_(True),
                              Response.duration_seconds.is_(None),
                              Response.duration_seconds >= tallies.cutoff_seconds))
    sampled = tallies.valid > MAX_PATTERN_ROWS
    if sampled:
        # Systematic sample by id, chosen from the (campaign_id) index alone so that a
        # million-row campaign is not read through to pick ten thousand rows.
        step = math.ceil(tallies.valid / MAX_PATTERN_ROWS)
        chosen = select(Response.id).where(Response.campaign_id == campaign.id, Response.id % step == 0)
        conditions.append(Response.id.in_(chosen.scalar_subquery()))
    rows = session.exec(select(Response.answers).where(*conditions)).all()
    return [{name: answers.get(name) for name in names} for answers in rows], sampled


def _score(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


class ScoreMatrix:
    """Rows × items of 1–5 scores, built once for every item the statistics need;
    NaN where the answer is missing or don't-know."""

    def __init__(self, rows: list[dict], questions) -> None:
        self.columns = {q.name: j for j, q in enumerate(questions)}
        matrix = np.array([[_score(row.get(q.name)) for q in questions] for row in rows], dtype=float)
        matrix = matrix.reshape(len(rows), len(questions))
        for j, question in enumerate(questions):
            for code in question.dont_know:
                matrix[matrix[:, j] == _score(code), j] = np.nan
        self.matrix = matrix

    def of(self, questions) -> np.ndarray:
        return self.matrix[:, [self.columns[q.name] for q in questions]]


#: Items answered (not 不清楚) by fewer of the valid respondents than this are left out of the
#: drivers model: listwise deletion on a service few people use (childcare) would throw
#: away most respondents.
MIN_ITEM_COVERAGE = 0.6


def _well_answered(questions, scores: ScoreMatrix) -> list:
    if scores.matrix.shape[0] == 0:
        return questions
    coverage = (~np.isnan(scores.of(questions))).mean(axis=0)
    return [q for q, share in zip(questions, coverage) if share >= MIN_ITEM_COVERAGE]


#: (database, campaign id) -> (response state, pattern statistics): one entry per campaign,
#: replaced when its state moves on.
_PATTERN_STATISTICS = ProcessMemo(256)


def _response_state(session, campaign, questionnaire, tallies) -> tuple:
    """Everything the pattern statistics are a function of, read without touching the
    responses (a count over a million rows costs more than the statistics it would save).

    The rows they read are the campaign's responses without an exclusion, minus the too-fast
    ones (the cut-off), sampled by id (a step from the valid count). Those rows change only
    when a response is stored or reviewed: rows are never updated in place but by a review,
    nor deleted but with their campaign. A stored response is counted in the tallies (in the
    transaction that stores it) as valid, too fast or excluded, so their total rises; an
    exclusion or a restoration adds a ``response_review`` row (counted over all campaigns:
    a small table, at the price of recomputing after another campaign's review). A re-tally
    changes the rows only through the cut-off and the valid count, both in the key. The
    campaign's creation time tells apart a database emptied and filled again (tests)."""
    reviews, last_review = session.exec(select(func.count(), func.max(ResponseReview.id))).one()
    stored = tallies.valid + sum(tallies.excluded.values())
    return (campaign.created_at, questionnaire.content_hash, tallies.cutoff_seconds, tallies.valid, stored,
            reviews, last_review, MAX_PATTERN_ROWS, MIN_ITEM_COVERAGE)


def _pattern_statistics(session, campaign, questionnaire, tallies) -> dict:
    """The statistics of whole answer patterns, computed once per response state.

    The state is read before the rows, so an entry is never older than its key: an answer
    committed in between is in the result and changes the key of the next read. A copy goes
    out, so callers that decorate the document cannot change the kept one."""
    key = (str(session.get_bind().url), campaign.id)
    state = _response_state(session, campaign, questionnaire, tallies)
    kept = _PATTERN_STATISTICS.get(key)
    if kept is None or kept[0] != state:
        kept = _PATTERN_STATISTICS.remember(key, (state, _compute_pattern_statistics(
            session, campaign, questionnaire, tallies)))
    return copy.deepcopy(kept[1])


def _compute_pattern_statistics(session, campaign, questionnaire, tallies) -> dict:
    details = detail_items(questionnaire)
    service_items = [q for q in details if q.indicator == "service_detail"] or details
    overall = {ind: overall_question(questionnaire, ind) for ind in SCORED_INDICATORS}
    needed = details + [q for q in overall.values() if q is not None]
    rows, sampled = _pattern_rows(session, campaign, tallies, [q.name for q in needed])
    scores = ScoreMatrix(rows, needed)
    result = {"patterns": {"rows": len(rows), "sampled": sampled, "max_rows": MAX_PATTERN_ROWS}}
    alpha = analysis.cronbach_alpha(scores.of(service_items)).to_dict()
    alpha["items"] = [q.name for q in service_items]
    result["reliability"] = alpha
    result["drivers"] = {}
    result["importance_performance"] = {}
    for indicator, question in overall.items():
        if question is None:
            continue
        group = "business_detail" if indicator == "business_satisfaction" else "service_detail"
        items = _well_answered([q for q in details if q.indicator == group] or details, scores)
        y = np.array([np.nan if r.get(question.name) in (None, "", *question.dont_know)
                      else float(r.get(question.name) in question.satisfied) for r in rows])
        drivers = analysis.key_drivers(scores.of(items), y, names=[q.name for q in items],
                                       satisfied_codes=[float(c) for c in question.satisfied])
        drivers_doc = drivers.to_dict()
        labels = {q.name: q.label for q in items}
        for item in drivers_doc["items"]:
            item["label"] = labels[item["name"]]
        drivers_doc["left_out"] = [q.label for q in details
                                   if q.indicator == group and q not in items]
        result["drivers"][indicator] = drivers_doc
        measure = "coefficient" if drivers.ok else "correlation"
        grid = analysis.importance_performance(drivers, importance=measure).to_dict()
        for item in grid.get("items", []):
            item["label"] = labels.get(item["name"], item["name"])
        result["importance_performance"][indicator] = grid
    return result
