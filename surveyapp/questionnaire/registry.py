"""Where the app finds questionnaires: the files in QUESTIONNAIRE_DIR, and the frozen
snapshots that campaigns answer.

Loaded questionnaires are cached per app by content hash: the hash names the exact text,
so a cache entry never goes stale.
"""
from __future__ import annotations

from pathlib import Path

from flask import current_app
from sqlmodel import Session

from ..datafiles import hash_cache, named_yaml
from ..models import QuestionnaireSnapshot
from . import Questionnaire, load_questionnaire, load_questionnaire_text

CACHE_KEY = "surveyapp.questionnaires"


class UnknownQuestionnaire(LookupError):
    pass


def _cache() -> dict:
    return hash_cache(CACHE_KEY)


def questionnaire_path(name: str) -> Path:
    path = named_yaml(current_app.config["QUESTIONNAIRE_DIR"], name)
    if path is None:
        raise UnknownQuestionnaire(name)
    return path


def current_questionnaire(name: str) -> Questionnaire:
    """The questionnaire as the file says now (raises QuestionnaireError when it is bad)."""
    questionnaire = load_questionnaire(questionnaire_path(name))
    _cache().setdefault(questionnaire.content_hash, questionnaire)
    return questionnaire


def freeze(session: Session, questionnaire: Questionnaire) -> QuestionnaireSnapshot:
    """Store the questionnaire's exact text once (idempotent)."""
    snapshot = session.get(QuestionnaireSnapshot, questionnaire.content_hash)
    if snapshot is None:
        snapshot = QuestionnaireSnapshot(
            content_hash=questionnaire.content_hash,
            name=questionnaire.name,
            version=questionnaire.version,
            source=Path(questionnaire.path).read_bytes().decode("utf-8"),  # keep line endings: the hash covers the bytes
        )
        session.add(snapshot)
    return snapshot


def loaded_questionnaire(content_hash: str) -> Questionnaire | None:
    """The questionnaire with this hash if this process has loaded it already (no database):
    a resident's request then needs no Session at all."""
    return _cache().get(content_hash)


def questionnaire_by_hash(session: Session, content_hash: str) -> Questionnaire:
    """The questionnaire a campaign was opened with, from its snapshot."""
    cached = loaded_questionnaire(content_hash)
    if cached is not None:
        return cached
    snapshot = session.get(QuestionnaireSnapshot, content_hash)
    if snapshot is None:
        raise UnknownQuestionnaire(content_hash)
    label = Path(current_app.config["QUESTIONNAIRE_DIR"]) / f"{snapshot.name}.yaml"
    questionnaire = load_questionnaire_text(snapshot.source, label)
    _cache()[content_hash] = questionnaire
    return questionnaire


def init_app(app) -> None:
    app.extensions[CACHE_KEY] = {}
