"""Questionnaire files: load, check, and validate answers against them.

This package knows nothing of Flask or the database: the web form, the paper import, the CLI
and the analysis all read questionnaires through it, so a file means the same thing to each.
The format is described for survey people in docs/questionnaire-format.md.
"""
from __future__ import annotations

from .answers import iter_visible_questions, validate_answers, visible_questions
from .catalogue import default_catalogue_path, load_catalogue, load_catalogue_text
from .errors import ExpressionError, QuestionnaireError
from .expressions import Expression, compile_expression
from .loader import load_questionnaire, load_questionnaire_text
from .model import (
    LIKERT5_CHOICES,
    QUESTION_TYPES,
    SURVEY_KINDS,
    Catalogue,
    CatalogueEntry,
    Choice,
    Question,
    Questionnaire,
    Section,
)

__all__ = [
    "Catalogue",
    "CatalogueEntry",
    "Choice",
    "Expression",
    "ExpressionError",
    "LIKERT5_CHOICES",
    "QUESTION_TYPES",
    "SURVEY_KINDS",
    "Question",
    "Questionnaire",
    "QuestionnaireError",
    "Section",
    "compile_expression",
    "default_catalogue_path",
    "load_catalogue",
    "load_catalogue_text",
    "load_questionnaire",
    "load_questionnaire_text",
    "validate_answers",
    "iter_visible_questions",
    "visible_questions",
]
