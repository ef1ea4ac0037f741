"""Steps of a paged questionnaire, and moving between them (pure: no Flask, no database).

Each section is a step (``style: pages``, the default), or the whole questionnaire is one
step (``style: single``). An interview asks the residence question first, alone, so that an
interviewer can stop at once for someone who does not live in the circle.

Which steps a respondent sees depends on their answers: a step whose every question is
hidden by `relevant` is skipped, both ways. The server decides this between steps from
the answers so far, so follow-up questions work without JavaScript.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from .answers import visible_questions
from .model import Question, Questionnaire, Section

_CACHE: dict[tuple, tuple["Step", ...]] = {}
_CACHE_SIZE = 64


@dataclass(frozen=True)
class Block:
    """The part of one section shown on a step."""

    section: Section
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Step:
    index: int
    blocks: tuple[Block, ...]

    # Computed once per step (steps are built once per questionnaire): every request reads
    # them several times, and shown_steps reads the names of every step.
    @cached_property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for block in self.blocks for q in block.questions)

    @cached_property
    def names(self) -> frozenset[str]:
        return frozenset(q.name for q in self.questions)


def steps_of(questionnaire: Questionnaire, *, single: bool | None = None, first: str | None = None) -> tuple[Step, ...]:
    """The steps, built once per questionnaire (by content hash) and layout.

    ``single`` overrides the file's style; ``first`` names a question asked alone on a
    step before all others (it must not depend on another answer)."""
    if single is None:
        single = questionnaire.style == "single"
    if first is not None and (first not in questionnaire or questionnaire.question(first).relevant is not None):
        first = None
    key = (questionnaire.content_hash, single, first)
    cached = _CACHE.get(key)
    if cached is None:
        cached = _build(questionnaire, single, first)
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.clear()
        _CACHE[key] = cached
    return cached


def _build(questionnaire: Questionnaire, single: bool, first: str | None) -> tuple[Step, ...]:
    opening: list[list[Block]] = []
    if first is not None:
        question = questionnaire.question(first)
        section = next(s for s in questionnaire.sections if question in s.questions)
        opening.append([Block(section, (question,))])
    rest = [Block(section, questions) for section in questionnaire.sections
            if (questions := tuple(q for q in section.questions if q.name != first))]
    groups = opening + ([rest] if single else [[block] for block in rest])
    return tuple(Step(index, tuple(blocks)) for index, blocks in enumerate(groups))


def visible_names(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> frozenset[str]:
    return frozenset(q.name for q in visible_questions(questionnaire, answers))


def shown_steps(steps: tuple[Step, ...], visible: frozenset[str]) -> list[int]:
    """Indexes of the steps with at least one visible question."""
    return [step.index for step in steps if step.names & visible]


def next_step(steps, visible, current: int) -> int | None:
    """The next shown step after ``current``, or None when ``current`` is the last."""
    return next((i for i in shown_steps(steps, visible) if i > current), None)


def previous_step(steps, visible, current: int) -> int | None:
    earlier = [i for i in shown_steps(steps, visible) if i < current]
    return earlier[-1] if earlier else None


def settle(steps, visible, wanted: int) -> int:
    """``wanted`` if it is shown, else the next shown step (or the last shown one)."""
    shown = shown_steps(steps, visible)
    if not shown:
        return 0
    if wanted in shown:
        return wanted
    later = [i for i in shown if i > wanted]
    return later[0] if later else shown[-1]


def progress(steps, visible, current: int) -> tuple[int, int]:
    """(position from 1, number of steps) as the respondent sees them now."""
    shown = shown_steps(steps, visible) or [current]
    position = shown.index(current) + 1 if current in shown else 1
    return position, len(shown)
