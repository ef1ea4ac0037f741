"""Where the app finds scoring rules: the files in RULES_DIR, and the frozen snapshots that
evaluations were scored with (by content hash, like questionnaires)."""
from __future__ import annotations

from pathlib import Path

from flask import current_app
from sqlmodel import Session

from ..datafiles import hash_cache, named_yaml
from ..models import RulesSnapshot
from ..questionnaire import load_catalogue_text
from .rules import Rules, load_rules, load_rules_text

CACHE_KEY = "surveyapp.rules"


class UnknownRules(LookupError):
    pass


def _cache() -> dict:
    return hash_cache(CACHE_KEY)


def rules_path(name: str) -> Path:
    path = named_yaml(current_app.config["RULES_DIR"], name)
    if path is None:
        raise UnknownRules(name)
    return path


def available_rules() -> list[str]:
    """Names of the rules files in RULES_DIR (the default first)."""
    default = current_app.config["DEFAULT_RULES"]
    names = sorted(p.stem for p in Path(current_app.config["RULES_DIR"]).glob("*.yaml"))
    return sorted(names, key=lambda name: name != default)


def current_rules(name: str) -> Rules:
    """The rules as the file says now (raises RulesError when the file is bad)."""
    rules = load_rules(rules_path(name))
    _cache().setdefault(rules.content_hash, rules)
    return rules


def freeze(session: Session, rules: Rules) -> RulesSnapshot:
    snapshot = session.get(RulesSnapshot, rules.content_hash)
    if snapshot is None:
        snapshot = RulesSnapshot(
            content_hash=rules.content_hash, name=rules.name, version=rules.version,
            source=Path(rules.path).read_bytes().decode("utf-8"),
            catalogue_source=Path(rules.catalogue.path).read_bytes().decode("utf-8"),
        )
        session.add(snapshot)
    return snapshot


def rules_by_hash(session: Session, content_hash: str) -> Rules:
    """The rules an evaluation was opened with, from its snapshot (catalogue included)."""
    cached = _cache().get(content_hash)
    if cached is not None:
        return cached
    snapshot = session.get(RulesSnapshot, content_hash)
    if snapshot is None:
        raise UnknownRules(content_hash)
    folder = Path(current_app.config["RULES_DIR"])
    catalogue = load_catalogue_text(snapshot.catalogue_source, folder / "catalogue-snapshot.yaml")
    rules = load_rules_text(snapshot.source, folder / f"{snapshot.name}.yaml", catalogue=catalogue)
    _cache()[content_hash] = rules
    return rules
