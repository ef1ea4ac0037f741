"""The summary as the app's settings define it: one function for the CLI, the JSON API
and the dashboard, so all three give the same document.

The sample rule (valid ≥ rate × population) has one source: a rules file's
``service.sample_rate``. A round reads its own rules file's; a campaign on its own (the
dashboard, the API, ``surveyapp summary``) reads the default rules file's
(``SURVEYAPP_DEFAULT_RULES``). There is no separate setting that could disagree.
"""
from __future__ import annotations

from fractions import Fraction

from flask import current_app

from ..questionnaire.registry import questionnaire_by_hash
from .summary import campaign_summary, light_summaries


def default_sample_rate() -> Fraction:
    """The default rules file's sample rate, read again only when the file changes."""
    from ..evaluation.registry import current_rules, rules_path

    name = current_app.config["DEFAULT_RULES"]
    path = rules_path(name)
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    cache = current_app.extensions.setdefault("surveyapp.sample_rate", {})
    if key not in cache:
        cache[key] = current_rules(name).service.sample_rate
    return cache[key]


def summary_for(session, campaign, detail: bool = True, sample_rate=None, patterns: bool = True) -> dict:
    questionnaire = questionnaire_by_hash(session, campaign.questionnaire_hash)
    return campaign_summary(
        session, campaign, questionnaire,
        sample_rate=default_sample_rate() if sample_rate is None else sample_rate,
        too_fast_fraction=Fraction(str(current_app.config["TOO_FAST_FRACTION"])),
        detail=detail, patterns=patterns,
    )


def light_summaries_for(session, campaigns) -> dict[int, dict]:
    """The contract part of many campaigns' summaries at once, with the app's settings (the
    survey list: one row per campaign, a fixed number of queries)."""
    return light_summaries(session, campaigns, sample_rate=default_sample_rate(),
                           too_fast_fraction=Fraction(str(current_app.config["TOO_FAST_FRACTION"])))
