"""Loading a 业态 (business type) catalogue file.

Catalogues differ by jurisdiction (the national default has ~20 basic types, Shanxi 23) and
change between editions, so they are versioned YAML files, never constants in code. A
catalogue whose rules are not yet confirmed is marked ``trial: true`` so reports can say 试行.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from .errors import QuestionnaireError
from .model import Catalogue, CatalogueEntry
from .yamlnodes import Context, compose

CATALOGUE_KEYS = {"name", "version", "title", "trial", "basic", "quality"}
ENTRY_KEYS = {"code", "label", "label_en", "required"}
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")

#: The questionnaire folder shipped with the project (questionnaires/ at the repository root).
PROJECT_QUESTIONNAIRES = Path(__file__).resolve().parents[2] / "questionnaires"
DEFAULT_CATALOGUE = "national"


def default_catalogue_path(near=None) -> Path:
    """The catalogue a questionnaire uses when none is given.

    ``catalogues/national.yaml`` next to the questionnaire file when there is one (so a
    deployment's own questionnaire folder can carry its own catalogue), else the project's.
    """
    if near is not None:
        candidate = Path(near).parent / "catalogues" / f"{DEFAULT_CATALOGUE}.yaml"
        if candidate.is_file():
            return candidate
    return PROJECT_QUESTIONNAIRES / "catalogues" / f"{DEFAULT_CATALOGUE}.yaml"


def read_bytes(path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise QuestionnaireError(path, None, "", f"cannot read the file: {exc.strerror or exc}") from None


def decode(data: bytes, path) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise QuestionnaireError(path, line, "", "the file is not UTF-8 text") from None


def load_catalogue(path) -> Catalogue:
    """Read and check a catalogue file; raises :class:`QuestionnaireError` naming the line."""
    data = read_bytes(path)
    return load_catalogue_text(decode(data, path), path, content_hash=hashlib.sha256(data).hexdigest())


def load_catalogue_text(text: str, path="<catalogue>", *, content_hash: str | None = None) -> Catalogue:
    path = str(path)
    if content_hash is None:
        content_hash = hashlib.sha256(text.encode("utf-8")).hexdigest()
    ctx = Context(path)
    top = ctx.as_map(compose(text, path), "")
    top.check_keys(CATALOGUE_KEYS)
    name = top.identifier("name")
    version = top.text("version")
    title = top.text("title", required=False)
    trial = top.boolean("trial", False)
    seen: dict[str, str] = {}
    groups = {}
    for group in ("basic", "quality"):
        entries = []
        for index, node in enumerate(top.list(group)):
            entry = ctx.as_map(node, f"{group}[{index}]")
            entry.check_keys(ENTRY_KEYS)
            code = entry.text("code")
            if not _CODE.match(code):
                raise entry.error("code", f"{code!r} is not a valid code (lowercase ASCII letters, digits and '_')")
            if code in seen:
                raise entry.error("code", f"duplicate code '{code}' (already used in {seen[code]})")
            seen[code] = f"{group}[{index}]"
            entry.rename(code)
            required = entry.boolean("required", False)
            if required and group != "basic":
                raise entry.error("required", "only basic types can be required")
            entries.append(CatalogueEntry(
                code=code,
                label=entry.text("label"),
                group=group,
                required=required,
                label_en=entry.text("label_en", required=False),
            ))
        groups[group] = tuple(entries)
    return Catalogue(
        name=name, version=version, trial=trial, basic=groups["basic"], quality=groups["quality"],
        title=title, path=path, content_hash=content_hash,
    )
