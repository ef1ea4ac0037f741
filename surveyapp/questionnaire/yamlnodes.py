"""YAML read as a tree that remembers the line of every key and value.

``yaml.safe_load`` forgets where things were, and the point of our refusals is to tell a
survey person which line to fix. So files are read with ``yaml.compose`` and walked through
:class:`MapReader`, which knows the line of each value and reports missing, unknown and
ill-typed keys as :class:`QuestionnaireError` with file, line and field.
"""
from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import QuestionnaireError

IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")

_NULL_TAG = "tag:yaml.org,2002:null"
_STR_TAG = "tag:yaml.org,2002:str"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"


def line_of(node: Node) -> int:
    return node.start_mark.line + 1


def compose(text: str, path: str) -> Node:
    """Parse ``text`` into a node tree; a syntax error names the line where YAML gave up."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise QuestionnaireError(path, mark.line + 1 if mark else None, "", f"YAML syntax error: {problem}") from None
    except yaml.YAMLError as exc:
        raise QuestionnaireError(path, None, "", f"YAML syntax error: {exc}") from None
    if root is None:
        raise QuestionnaireError(path, 1, "", "the file is empty")
    return root


def _type_name(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if node.tag == _NULL_TAG:
        return "empty"
    return f"{node.value!r}"


class Context:
    """What every reader needs: the file's path (for messages)."""

    def __init__(self, path: str):
        self.path = path

    def error(self, node: Node | None, field: str, message: str) -> QuestionnaireError:
        return QuestionnaireError(self.path, line_of(node) if node is not None else None, field, message)

    def scalar_value(self, node: ScalarNode, field: str) -> Any:
        try:
            return SafeConstructor().construct_object(node, deep=True)
        except ConstructorError as exc:
            raise self.error(node, field, f"invalid value: {exc.problem}") from None

    # --- typed views of a single node -------------------------------------------------------

    def as_text(self, node: Node, field: str) -> str:
        """A non-empty string. Plain numbers and yes/no are taken as written ("2026.10", "1")."""
        if not isinstance(node, ScalarNode) or node.tag == _NULL_TAG:
            raise self.error(node, field, f"must be text, not {_type_name(node)}")
        text = str(node.value).strip()
        if not text:
            raise self.error(node, field, "must not be empty")
        return text

    def as_identifier(self, node: Node, field: str) -> str:
        text = self.as_text(node, field)
        if not IDENTIFIER.match(text):
            raise self.error(
                node, field,
                f"{text!r} is not a valid name (lowercase letters, digits and '_', starting with a letter)",
            )
        return text

    def as_bool(self, node: Node, field: str) -> bool:
        if not isinstance(node, ScalarNode) or node.tag != _BOOL_TAG:
            raise self.error(node, field, f"must be true or false, not {_type_name(node)}")
        return bool(self.scalar_value(node, field))

    def as_int(self, node: Node, field: str) -> int:
        if not isinstance(node, ScalarNode) or node.tag != _INT_TAG:
            raise self.error(node, field, f"must be a whole number, not {_type_name(node)}")
        return int(self.scalar_value(node, field))

    def as_number(self, node: Node, field: str) -> int | float:
        if not isinstance(node, ScalarNode) or node.tag not in (_INT_TAG, _FLOAT_TAG):
            raise self.error(node, field, f"must be a number, not {_type_name(node)}")
        value = self.scalar_value(node, field)
        if value != value or value in (float("inf"), float("-inf")):
            raise self.error(node, field, "must be a finite number")
        return value

    def as_list(self, node: Node, field: str, *, allow_empty: bool = False) -> list[Node]:
        if not isinstance(node, SequenceNode):
            raise self.error(node, field, f"must be a list, not {_type_name(node)}")
        if not node.value and not allow_empty:
            raise self.error(node, field, "must not be an empty list")
        return list(node.value)

    def as_map(self, node: Node, field: str) -> MapReader:
        if not isinstance(node, MappingNode):
            raise self.error(node, field, f"must be a mapping of keys to values, not {_type_name(node)}")
        return MapReader(self, node, field)


class MapReader:
    """One mapping being read; ``field`` is its dotted path, used as the prefix in messages."""

    def __init__(self, ctx: Context, node: MappingNode, field: str):
        self.ctx = ctx
        self.mapping = node
        self.field = field
        self.line = line_of(node)
        self.values: dict[str, Node] = {}
        self.key_nodes: dict[str, Node] = {}
        # A repeated key is reported by check_keys(), once the reader may have a better name.
        self.duplicate: tuple[str, Node] | None = None
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag == _NULL_TAG:
                raise ctx.error(key_node, field, "keys must be plain names")
            key = str(key_node.value)
            if key in self.values:
                self.duplicate = self.duplicate or (key, key_node)
                continue
            self.values[key] = value_node
            self.key_nodes[key] = key_node

    def sub(self, key: str) -> str:
        return f"{self.field}.{key}" if self.field else key

    def rename(self, field: str) -> None:
        """Use a friendlier prefix once it is known (a question's name instead of its index)."""
        self.field = field

    def check_keys(self, allowed, *, refused: dict[str, str] | None = None) -> None:
        """Unknown keys are errors: a misspelt `requried:` must not silently do nothing."""
        if self.duplicate is not None:
            key, key_node = self.duplicate
            raise self.ctx.error(key_node, self.sub(key), f"duplicate key '{key}'")
        for key, key_node in self.key_nodes.items():
            if key in allowed:
                continue
            message = (refused or {}).get(key, f"unknown key '{key}'")
            raise self.ctx.error(key_node, self.sub(key), message)

    def has(self, key: str) -> bool:
        return key in self.values

    def node(self, key: str) -> Node:
        if key not in self.values:
            raise self.missing(key)
        return self.values[key]

    def missing(self, key: str) -> QuestionnaireError:
        return QuestionnaireError(self.ctx.path, self.line, self.sub(key), f"missing required key '{key}'")

    def error(self, key: str, message: str) -> QuestionnaireError:
        return self.ctx.error(self.values.get(key, self.mapping), self.sub(key), message)

    def line_of(self, key: str) -> int:
        return line_of(self.values[key]) if key in self.values else self.line

    # --- typed getters: a missing optional key gives ``default`` ------------------------------

    def text(self, key: str, *, required: bool = True, default: str | None = None) -> str | None:
        if not self.has(key):
            if required:
                raise self.missing(key)
            return default
        return self.ctx.as_text(self.values[key], self.sub(key))

    def identifier(self, key: str) -> str:
        return self.ctx.as_identifier(self.node(key), self.sub(key))

    def boolean(self, key: str, default: bool = False) -> bool:
        if not self.has(key):
            return default
        return self.ctx.as_bool(self.values[key], self.sub(key))

    def integer(self, key: str, *, required: bool = True, default: int | None = None) -> int | None:
        if not self.has(key):
            if required:
                raise self.missing(key)
            return default
        return self.ctx.as_int(self.values[key], self.sub(key))

    def number(self, key: str) -> int | float | None:
        if not self.has(key):
            return None
        return self.ctx.as_number(self.values[key], self.sub(key))

    def list(self, key: str, *, required: bool = True, allow_empty: bool = False) -> list[Node] | None:
        if not self.has(key):
            if required:
                raise self.missing(key)
            return None
        return self.ctx.as_list(self.values[key], self.sub(key), allow_empty=allow_empty)
