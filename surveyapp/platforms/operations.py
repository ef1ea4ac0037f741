"""Writes of the platform import: saving the confirmed mapping, and the import itself, each
audited in the same transaction as the change."""
from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, select

from ..audit.operations import record
from ..models import Campaign, ImportMapping
from ..models.timeutil import utcnow
from ..responses.importer import ImportResult, Limits, Sheet
from .importer import import_export
from .layout import PLATFORMS, Mapping


def saved_mapping(session: Session, campaign_id: int) -> Mapping | None:
    row = session.exec(select(ImportMapping).where(ImportMapping.campaign_id == campaign_id)).first()
    return Mapping.from_json(row.mapping) if row else None


def save_mapping(session: Session, campaign: Campaign, mapping: Mapping, user_id: int | None) -> None:
    """Keep the mapping for the campaign's next file, with its audit entry, committed on its own:
    the assessor confirmed it column by column, so it stays saved even when rows of this file
    are refused (fixing a bad time in the file should not mean confirming the mapping again)."""
    row = session.exec(select(ImportMapping).where(ImportMapping.campaign_id == campaign.id)).first()
    before = row.mapping if row else None
    if row is None:
        row = ImportMapping(campaign_id=campaign.id, platform=mapping.platform)
    row.platform, row.mapping, row.saved_by, row.saved_at = mapping.platform, mapping.as_json(), user_id, utcnow()
    session.add(row)
    record(session, "import_mapping.save", summary=f"保存问卷调查 #{campaign.id} 的{PLATFORMS[mapping.platform]}导入对应关系",
           target_type="campaign", target_id=campaign.id, circle_id=campaign.circle_id,
           before={"columns": len(before["columns"])} if before else None,
           after={"columns": len(mapping.columns), "options": len(mapping.options)})
    session.commit()


def import_platform_file(session: Session, campaign: Campaign, questionnaire, source: Path | Sheet, mapping: Mapping,
                         limits: Limits, file_name: str) -> ImportResult:
    """The import, audited in its own transaction (record_many commits the entry with the rows;
    a failed import rolls both back)."""
    record(session, "responses.import_platform",
           summary=f"从{PLATFORMS[mapping.platform]}导出文件 {file_name} 导入问卷调查 #{campaign.id} 的答卷",
           target_type="campaign", target_id=campaign.id, circle_id=campaign.circle_id,
           after={"file": file_name, "platform": mapping.platform})
    try:
        result = import_export(session, campaign, questionnaire, source, mapping, limits, file_name)
    except Exception:
        session.rollback()
        raise
    return result
