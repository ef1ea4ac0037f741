"""Answer counts kept up to date as responses are written.

One row counts the responses of a campaign that gave ``code`` to ``question``, optionally
within a group (``group_question`` = ``group_value``, e.g. community = 和平社区). Only
responses without a stored exclusion are counted. ``duration`` is whole seconds online;
-1 means paper, unknown, exempt from the speed rule, or (for answers) too slow to ever be
"too fast" (see responses/tallies.FAST_HORIZON). The per-response row ``__response__`` keeps
every duration: that histogram gives the median completion time, and answers counted under
the too-fast cut-off are left out when reading. This is what lets a summary of a million
responses add up some thousands of rows instead of parsing a million JSON documents.

Pseudo-questions: ``__response__`` (one per counted response), ``__excluded__`` (one per
excluded response, code = reason, counted whatever the duration), ``__flag__`` (code
``straightlining``: counted responses flagged for the assessor), ``__channel__`` (code
``qr`` or ``paper``), and for multi-select
questions the code ``__answered__`` (respondents who answered it at all).
"""
from __future__ import annotations

from sqlmodel import Field, SQLModel


class AnswerTally(SQLModel, table=True):
    __tablename__ = "answer_tally"

    campaign_id: int = Field(foreign_key="campaign.id", primary_key=True, ondelete="CASCADE")
    question: str = Field(primary_key=True, max_length=64)
    code: str = Field(primary_key=True, max_length=100)
    group_question: str = Field(default="", primary_key=True, max_length=64)
    group_value: str = Field(default="", primary_key=True, max_length=100)
    duration: int = Field(default=-1, primary_key=True)
    n: int = 0
