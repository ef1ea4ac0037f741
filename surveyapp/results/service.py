"""The summary as the app's settings define it: one function for the CLI, the JSON API
and the dashboard, so all three give the same document."""
from __future__ import annotations

from fractions import Fraction

from flask import current_app

from ..questionnaire.registry import questionnaire_by_hash
from .summary import campaign_summary


def summary_for(session, campaign, detail: bool = True) -> dict:
    questionnaire = questionnaire_by_hash(session, campaign.questionnaire_hash)
    return campaign_summary(
        session, campaign, questionnaire,
        sample_rate=current_app.config["SAMPLE_RATE"],
        too_fast_fraction=Fraction(str(current_app.config["TOO_FAST_FRACTION"])),
        detail=detail,
    )
