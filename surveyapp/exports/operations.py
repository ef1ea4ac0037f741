"""Audit of exports: a download of response data is a disclosure, so it is recorded like a write
(who, which campaign, which format, how many rows, whether open text was in it)."""
from __future__ import annotations

from sqlmodel import Session

from ..audit.operations import record
from ..models import Campaign


def record_export(session: Session, campaign: Campaign, what: str, fmt: str, *, rows: int | None = None,
                  open_text: bool = False) -> None:
    """Record the export and commit (a download has nothing else to commit)."""
    after = {"format": fmt, "open_text": open_text}
    if rows is not None:
        after["rows"] = rows
    label = {"responses": "答卷数据", "codebook": "编码手册", "xlsform": "XLSForm 问卷"}[what]
    record(session, f"export.{what}", summary=f"导出问卷调查 #{campaign.id} 的{label}（{fmt}）",
           target_type="campaign", target_id=campaign.id, circle_id=campaign.circle_id, after=after)
    session.commit()
