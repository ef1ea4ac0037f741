"""Synthetic resident answers that hang together like real ones.

Each simulated resident has a latent contentment; every satisfaction item is that
contentment plus item-specific noise, so overall and detail items correlate, a few items
are weaker than the rest (breakfast, childcare), older residents are a little happier,
and residents of the poorer-served community less so. About 3% say 不清楚 on the overall
items and more on services few people use. Pure: no database, no Flask.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

# Item-specific shifts of the latent score (negative = residents like it less).
ITEM_SHIFT = {
    "breakfast": -0.55, "childcare": -0.7, "elderly_care": -0.35, "repair": -0.3, "housekeeping": -0.2,
    "convenience_store": 0.35, "express": 0.3, "pharmacy": 0.25, "noise": -0.25,
}
# Share answering 不清楚 per item keyword (services few residents use).
DONT_KNOW = {"childcare": 0.35, "elderly_care": 0.25, "housekeeping": 0.2, "repair": 0.12}
AGE_WEIGHTS = [0.14, 0.24, 0.26, 0.2, 0.16]
SUGGESTIONS = [
    "希望早餐店再多一些，早上排队太久。", "菜市场环境可以再干净一点。", "小区附近没有修鞋配钥匙的地方。",
    "希望有社区食堂，方便老人吃饭。", "快递柜经常满，取件不方便。", "晚上便利店关门太早。",
    "人行道被摊位占了，推婴儿车不好走。", "希望增加托育点。", "药店能不能24小时营业。", "整体挺好，谢谢社区。",
]


@dataclass(frozen=True)
class SyntheticResponse:
    answers: dict
    started_at: datetime
    finished_at: datetime
    complete: bool


def _keyword(name: str, table: dict) -> float:
    for key, value in table.items():
        if key in name:
            return value
    return 0.0


def _likert(rng: random.Random, latent: float, question) -> str:
    codes = [c.name for c in question.choices_for(())]
    dont_know = list(question.dont_know)
    p_dont_know = 0.03 + _keyword(question.name, DONT_KNOW)
    if dont_know and rng.random() < p_dont_know:
        return dont_know[0]
    score = latent + _keyword(question.name, ITEM_SHIFT) + rng.gauss(0, 0.55)
    level = max(1, min(5, int(round(score))))
    code = str(level)
    return code if code in codes else codes[0]


def generate(questionnaire, communities: list[tuple[str, int]], count: int, seed: int = 20261126,
             start: datetime | None = None, incomplete: int = 0, mood: float = 0.0):
    """``count`` complete responses plus ``incomplete`` ones missing a required answer."""
    from ..questionnaire import iter_visible_questions, validate_answers

    rng = random.Random(seed)
    names = [name for name, _ in communities]
    weights = [max(pop, 1) for _, pop in communities]
    start = start or datetime(2026, 11, 1, 8, 0)
    results: list[SyntheticResponse] = []
    for index in range(count + incomplete):
        community_index = rng.choices(range(len(names)), weights=weights)[0] if names else 0
        age_index = rng.choices(range(len(AGE_WEIGHTS)), weights=AGE_WEIGHTS)[0]
        latent = rng.gauss(4.3 + mood, 0.6) + 0.08 * age_index - 0.25 * (community_index == len(names) - 1 and len(names) > 1)
        raw: dict = {}
        for question in iter_visible_questions(questionnaire, raw):
            raw[question.name] = _answer(rng, question, latent, names, community_index, age_index)
        clean, errors = validate_answers(questionnaire, raw, names)
        complete = index < count
        if not complete:
            required = [q.name for q in questionnaire.questions if q.required and q.name in clean and q.name != "community"]
            for name in rng.sample(required, k=min(2, len(required))):
                clean.pop(name, None)
        duration = rng.lognormvariate(math.log(170), 0.35)
        if rng.random() < 0.02:
            duration = rng.uniform(25, 45)  # a few who rushed through
        started = start + timedelta(minutes=rng.uniform(0, 60 * 24 * 20))
        results.append(SyntheticResponse(clean, started, started + timedelta(seconds=duration), complete and not errors))
    return results


def _answer(rng, question, latent, community_names, community_index, age_index):
    if question.type == "note":
        return None
    choices = [c.name for c in question.choices_for(community_names)]
    if question.dynamic_choices == "communities":
        return community_names[community_index] if community_names else None
    if question.type == "likert5":
        return _likert(rng, latent, question)
    if question.name.startswith("age"):
        return choices[min(age_index, len(choices) - 1)]
    if question.type == "select_one":
        if not question.required and rng.random() < 0.1:
            return None
        # Earlier options are more common in band questions; fine for demo data.
        weights = [1.0 / (1 + 0.4 * i) for i in range(len(choices))]
        return rng.choices(choices, weights=weights)[0]
    if question.type == "select_multiple":
        if question.demand or question.catalogue:
            # A few types are widely missed, the rest rarely.
            picks = [code for i, code in enumerate(choices) if rng.random() < (0.32 if i % 7 == 2 else 0.05)]
            return picks or None
        exclusive = [c.name for c in question.choices_for(community_names) if "没" in c.label or "不" in c.label]
        picks = [code for code in choices if code not in exclusive and rng.random() < 0.35]
        return picks or (exclusive[:1] or None)
    if question.type in ("integer", "decimal"):
        low = question.min if question.min is not None else 0
        high = question.max if question.max is not None else 60
        value = max(low, min(high, int(rng.lognormvariate(math.log(9), 0.5))))
        return str(value)
    if question.type == "text":
        return rng.choice(SUGGESTIONS) if rng.random() < 0.25 else None
    return None
