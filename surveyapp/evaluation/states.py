"""The life of an evaluation round (DESIGN.md, "Life of an evaluation"): its states, their
Chinese labels, and which moves between them are allowed.

``Evaluation.state`` is the one source of truth; pages (this package's and the city
overview's) import the labels from here. Pure: no Flask, no database.
"""
from __future__ import annotations

from dataclasses import dataclass

DRAFT = "draft"
READY = "ready"
ISSUED = "issued"
WITHDRAWN = "withdrawn"
CORRECTED = "corrected"


@dataclass(frozen=True)
class State:
    code: str
    label: str
    #: Inputs may still change (inventory, facts, campaign).
    editable: bool
    #: Numbered and frozen with every input: the sheet is read from the frozen document.
    frozen: bool
    #: Shown in a circle's history as a result (grade, type, movement); otherwise 进行中 or the label.
    counts_as_result: bool
    #: CSS class of the state pill.
    tone: str


STATES: dict[str, State] = {
    DRAFT: State(DRAFT, "草稿", editable=True, frozen=False, counts_as_result=False, tone="draft"),
    READY: State(READY, "待签发", editable=True, frozen=False, counts_as_result=False, tone="ready"),
    ISSUED: State(ISSUED, "已签发", editable=False, frozen=True, counts_as_result=True, tone="issued"),
    WITHDRAWN: State(WITHDRAWN, "已撤回", editable=False, frozen=True, counts_as_result=False, tone="withdrawn"),
    CORRECTED: State(CORRECTED, "已更正", editable=False, frozen=True, counts_as_result=False, tone="corrected"),
}

#: Allowed moves: from → {to: what the move is called}.
TRANSITIONS: dict[str, dict[str, str]] = {
    DRAFT: {READY: "提交待签发", ISSUED: "签发"},
    READY: {DRAFT: "退回草稿", ISSUED: "签发"},
    ISSUED: {WITHDRAWN: "撤回", CORRECTED: "更正"},
    WITHDRAWN: {},
    CORRECTED: {},
}

#: Shown in a circle's history for a round that has no result yet.
IN_PROGRESS_LABEL = "进行中"


def state(code: str) -> State:
    return STATES[code]


def label(code: str) -> str:
    """The Chinese label of a state code (the code itself for an unknown one)."""
    found = STATES.get(code)
    return found.label if found else code


def can_move(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, {})


def to_dict(code: str) -> dict:
    found = STATES[code]
    return {"code": found.code, "label": found.label, "editable": found.editable, "frozen": found.frozen}
