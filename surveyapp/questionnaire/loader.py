"""Questionnaire YAML -> :class:`Questionnaire`, refusing anything doubtful with file, line, field.

Everything that can be checked before a resident sees the form is checked here: unknown keys
(a misspelt ``requried`` would silently make an item optional), undefined choice lists,
`satisfied` codes that do not exist (which would make a satisfaction rate quietly 0), and
expressions that do not parse or read a question that is not shown before them.
"""
from __future__ import annotations

import hashlib
import re

from yaml.nodes import ScalarNode, SequenceNode

from .catalogue import decode, default_catalogue_path, load_catalogue, read_bytes
from .errors import ExpressionError
from .expressions import compile_expression
from .model import (
    DEFAULT_MAX_LENGTH, DYNAMIC_LISTS, LIKERT5_CHOICES, LIKERT5_CODES, LIKERT5_DONT_KNOW,
    LIKERT5_SATISFIED, QUESTION_TYPES, FORM_STYLES, SURVEY_KINDS, Catalogue, Choice, Question, Questionnaire, Section, default_kind,
)
from .yamlnodes import Context, MapReader, compose

#: Names a question may not take: ``serial`` is the paper import's column for the number
#: printed on a paper form.
RESERVED_NAMES = frozenset({"serial"})

TOP_KEYS = {"name", "kind", "version", "title", "title_en", "notice", "estimated_minutes", "style", "choice_lists",
            "sections"}
SECTION_KEYS = {"name", "label", "hint", "questions"}
CHOICE_KEYS = {"name", "label", "label_en"}

_COMMON = {"name", "type", "label", "label_en", "hint", "relevant"}
_ANSWER = {"required", "constraint", "constraint_message", "indicator", "demand"}
KEYS_BY_TYPE = {
    "note": _COMMON,
    "select_one": _COMMON | _ANSWER | {"choices", "catalogue", "satisfied", "dont_know", "top_choices"},
    "select_multiple": _COMMON | _ANSWER | {"choices", "catalogue", "satisfied", "dont_know", "top_choices"},
    "likert5": _COMMON | _ANSWER | {"choices", "satisfied", "dont_know"},
    "integer": _COMMON | _ANSWER | {"min", "max"},
    "decimal": _COMMON | _ANSWER | {"min", "max"},
    "text": _COMMON | _ANSWER | {"max_length"},
    "time": _COMMON | _ANSWER,
    # A location (WGS-84): only whether it must be given; it feeds no indicator or expression.
    "geopoint": _COMMON | {"required"},
}
QUESTION_KEYS = set().union(*KEYS_BY_TYPE.values())
CATALOGUE_GROUPS = ("basic", "quality", "all")

#: Choice codes end up in CSV cells and in space/comma separated multiple answers.
_CHOICE_CODE = re.compile(r"^[A-Za-z0-9_.\-]+$")


def load_questionnaire(path, catalogue: Catalogue | None = None) -> Questionnaire:
    """Load and check one questionnaire file.

    ``catalogue`` fills `catalogue:` questions; when it is needed and not given, the default
    catalogue next to the file is loaded (:func:`default_catalogue_path`).
    """
    data = read_bytes(path)
    return _load(decode(data, path), data, path, catalogue)


def load_questionnaire_text(text: str, path="<questionnaire>", catalogue: Catalogue | None = None) -> Questionnaire:
    """Load a questionnaire from its text (a stored snapshot); ``path`` is only a label.

    The content hash is that of the UTF-8 bytes of ``text``, so a snapshot that stored the
    file's text verbatim hashes like the file.
    """
    return _load(text, text.encode("utf-8"), path, catalogue)


def _load(text: str, data: bytes, path, catalogue: Catalogue | None) -> Questionnaire:
    return _Builder(str(path), catalogue).build(text, hashlib.sha256(data).hexdigest())


class _Builder:
    def __init__(self, path: str, catalogue: Catalogue | None):
        self.path = path
        self.ctx = Context(path)
        self.catalogue = catalogue
        self.catalogue_used = False
        self.choice_lists: dict[str, tuple[Choice, ...]] = {}
        self.questions: dict[str, Question] = {}
        self.pending_constraints: list[tuple[MapReader, Question]] = []

    def build(self, text: str, content_hash: str) -> Questionnaire:
        top = self.ctx.as_map(compose(text, self.path), "")
        top.check_keys(TOP_KEYS)
        name = top.identifier("name")
        kind = top.text("kind", required=False) or default_kind(name)
        if kind not in SURVEY_KINDS:
            raise top.error("kind", f"unknown kind '{kind}' (one of: {', '.join(SURVEY_KINDS)})")
        version = top.text("version")
        title = top.text("title")
        title_en = top.text("title_en", required=False)
        notice = top.text("notice")
        minutes = top.integer("estimated_minutes", required=False)
        if minutes is not None and minutes <= 0:
            raise top.error("estimated_minutes", "must be a positive number of minutes")
        style = top.text("style", required=False) or "pages"
        if style not in FORM_STYLES:
            raise top.error("style", f"unknown style '{style}' (one of: {', '.join(FORM_STYLES)})")
        if top.has("choice_lists"):
            self.read_choice_lists(self.ctx.as_map(top.node("choice_lists"), "choice_lists"))
        sections = []
        section_names: set[str] = set()
        for index, node in enumerate(top.list("sections")):
            section = self.read_section(node, f"sections[{index}]")
            if section.name in section_names:
                raise self.ctx.error(node, f"sections[{index}].name", f"duplicate section name '{section.name}'")
            section_names.add(section.name)
            sections.append(section)
        for reader, question in self.pending_constraints:
            self.check_references(reader, "constraint", question.constraint, earlier_only=False)
        return Questionnaire(
            name=name, kind=kind, style=style, version=version, title=title, title_en=title_en, notice=notice,
            estimated_minutes=minutes, sections=tuple(sections), path=self.path,
            content_hash=content_hash, catalogue=self.catalogue if self.catalogue_used else None,
        )

    # --- choices --------------------------------------------------------------------------

    def read_choice_lists(self, lists: MapReader) -> None:
        for list_name, node in lists.values.items():
            field = lists.sub(list_name)
            self.ctx.as_identifier(lists.key_nodes[list_name], field)
            if list_name in DYNAMIC_LISTS:
                raise self.ctx.error(lists.key_nodes[list_name], field,
                                     f"'{list_name}' is reserved for the list filled at run time")
            self.choice_lists[list_name] = self.read_choices(node, field)

    def read_choices(self, node, field: str) -> tuple[Choice, ...]:
        choices: list[Choice] = []
        seen: set[str] = set()
        for index, item in enumerate(self.ctx.as_list(node, field)):
            choice = self.ctx.as_map(item, f"{field}[{index}]")
            choice.check_keys(CHOICE_KEYS)
            code = choice.text("name")
            if not _CHOICE_CODE.match(code):
                raise choice.error("name", f"choice code {code!r} may only use letters, digits, '_', '-' and '.'")
            if code in seen:
                raise choice.error("name", f"duplicate choice code '{code}'")
            seen.add(code)
            choices.append(Choice(code, choice.text("label"), choice.text("label_en", required=False)))
        return tuple(choices)

    def get_catalogue(self) -> Catalogue:
        if self.catalogue is None:
            self.catalogue = load_catalogue(default_catalogue_path(self.path))
        self.catalogue_used = True
        return self.catalogue

    # --- sections and questions -----------------------------------------------------------

    def read_section(self, node, field: str) -> Section:
        section = self.ctx.as_map(node, field)
        section.check_keys(SECTION_KEYS)
        name = section.identifier("name")
        label = section.text("label")
        hint = section.text("hint", required=False)
        questions = tuple(
            self.read_question(item, f"{field}.questions[{index}]", name)
            for index, item in enumerate(section.list("questions"))
        )
        return Section(name=name, label=label, hint=hint, questions=questions)

    def read_question(self, node, field: str, section: str) -> Question:
        q = self.ctx.as_map(node, field)
        name = q.identifier("name")
        if name in RESERVED_NAMES:
            raise q.error("name", f"'{name}' is reserved (the paper import's column for the form number)")
        if name in self.questions:
            raise q.error("name", f"duplicate question name '{name}' (first defined on line {self.questions[name].line})")
        q.rename(name)
        if "type" not in q.values:
            raise q.missing("type")
        qtype = q.text("type")
        if qtype not in QUESTION_TYPES:
            raise q.error("type", f"unknown question type '{qtype}' (use one of: {', '.join(QUESTION_TYPES)})")
        allowed = KEYS_BY_TYPE[qtype]
        q.check_keys(allowed, refused={
            key: f"'{key}' is not allowed on a {qtype} question" for key in QUESTION_KEYS - allowed
        })

        fields: dict = dict(
            name=name, type=qtype, section=section, line=q.line,
            label=q.text("label"),
            label_en=q.text("label_en", required=False),
            hint=q.text("hint", required=False),
            required=q.boolean("required", False),
            demand=q.boolean("demand", False),
        )
        if q.has("indicator"):
            fields["indicator"] = q.identifier("indicator")
        if q.has("relevant"):
            fields["relevant"] = self.expression(q, "relevant")
            self.check_references(q, "relevant", fields["relevant"], earlier_only=True)
        if q.has("constraint"):
            fields["constraint"] = self.expression(q, "constraint")
        if q.has("constraint_message"):
            # On a number question the message also replaces the default min/max message.
            if not q.has("constraint") and qtype not in ("integer", "decimal"):
                raise q.error("constraint_message", "constraint_message without a constraint")
            fields["constraint_message"] = q.text("constraint_message")

        if qtype in ("select_one", "select_multiple", "likert5"):
            self.read_select(q, qtype, fields)
        elif qtype in ("integer", "decimal"):
            self.read_bounds(q, qtype, fields)
        elif qtype == "text":
            max_length = q.integer("max_length", required=False, default=DEFAULT_MAX_LENGTH)
            if max_length <= 0:
                raise q.error("max_length", "must be a positive number of characters")
            fields["max_length"] = max_length

        question = Question(**fields)
        self.questions[name] = question
        if question.constraint is not None:
            self.pending_constraints.append((q, question))
        return question

    def read_select(self, q: MapReader, qtype: str, fields: dict) -> None:
        choices: tuple[Choice, ...] | None = None
        if q.has("choices") and q.has("catalogue"):
            raise q.error("catalogue", "give either choices or catalogue, not both")
        if q.has("catalogue"):
            group = q.text("catalogue")
            if group not in CATALOGUE_GROUPS:
                raise q.error("catalogue", f"unknown catalogue group '{group}' (use basic, quality or all)")
            fields["catalogue"] = group
            choices = tuple(Choice(e.code, e.label, e.label_en) for e in self.get_catalogue().group(group))
        elif q.has("choices"):
            node = q.node("choices")
            if isinstance(node, ScalarNode):
                list_name = q.text("choices")
                if list_name in DYNAMIC_LISTS:
                    if qtype == "likert5":
                        raise q.error("choices", "a likert5 question cannot use a run-time list")
                    fields["dynamic_choices"] = list_name
                elif list_name in self.choice_lists:
                    choices = self.choice_lists[list_name]
                    fields["choice_list"] = list_name
                else:
                    raise q.error("choices", f"undefined choice list '{list_name}'")
            else:
                choices = self.read_choices(node, q.sub("choices"))
        elif qtype == "likert5":
            choices = LIKERT5_CHOICES
        else:
            raise q.missing("choices")

        if qtype == "likert5" and q.has("choices"):
            for index, choice in enumerate(choices):
                if choice.name not in LIKERT5_CODES:
                    node = q.node("choices")
                    at = node.value[index] if isinstance(node, SequenceNode) else node
                    raise self.ctx.error(at, q.sub("choices"),
                                         f"a likert5 question only uses codes 0 to 5, not '{choice.name}'")
        fields["choices"] = choices

        codes = None if choices is None else {c.name for c in choices}
        if q.has("top_choices"):
            if codes is None:
                raise q.error("top_choices", "a run-time list cannot have top_choices")
            top = []
            for item in self.ctx.as_list(q.node("top_choices"), q.sub("top_choices")):
                code = self.ctx.as_text(item, q.sub("top_choices"))
                if code not in codes:
                    raise self.ctx.error(item, q.sub("top_choices"), f"code '{code}' is not one of the question's choices")
                if code not in top:
                    top.append(code)
            fields["top_choices"] = tuple(top)
        for key, default in (("satisfied", LIKERT5_SATISFIED), ("dont_know", LIKERT5_DONT_KNOW)):
            if q.has(key):
                values = []
                for item in self.ctx.as_list(q.node(key), q.sub(key)):
                    code = self.ctx.as_text(item, q.sub(key))
                    if codes is not None and code not in codes:
                        raise self.ctx.error(item, q.sub(key), f"code '{code}' is not one of the question's choices")
                    if code not in values:
                        values.append(code)
                fields[key] = tuple(values)
            elif qtype == "likert5":
                fields[key] = tuple(code for code in default if code in codes)
        overlap = set(fields.get("satisfied", ())) & set(fields.get("dont_know", ()))
        if overlap:
            raise q.error("dont_know", f"code '{sorted(overlap)[0]}' cannot be both satisfied and dont_know")

    def read_bounds(self, q: MapReader, qtype: str, fields: dict) -> None:
        for key in ("min", "max"):
            value = q.number(key)
            if value is not None and qtype == "integer" and not isinstance(value, int):
                raise q.error(key, "an integer question needs whole-number bounds")
            fields[key] = value
        if fields["min"] is not None and fields["max"] is not None and fields["min"] > fields["max"]:
            raise q.error("max", "max is smaller than min")

    # --- expressions ----------------------------------------------------------------------

    def expression(self, q: MapReader, key: str):
        source = q.text(key)
        try:
            expression = compile_expression(source)
        except ExpressionError as exc:
            raise q.error(key, f"bad expression {source!r}: {exc}") from None
        if key == "relevant" and expression.uses_current():
            raise q.error(key, "'.' (the current answer) can only be used in a constraint")
        return expression

    def check_references(self, q: MapReader, key: str, expression, *, earlier_only: bool) -> None:
        for ref in sorted(expression.references()):
            target = self.questions.get(ref)
            if target is None:
                if earlier_only:
                    raise q.error(key, f"refers to '{ref}', which is not a question asked before this one")
                raise q.error(key, f"refers to unknown question '{ref}'")
            if target.type == "note":
                raise q.error(key, f"refers to '{ref}', a note that has no answer")
            if target.type == "geopoint":
                raise q.error(key, f"refers to '{ref}', a geopoint (a location cannot be compared)")
