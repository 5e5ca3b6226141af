"""Keeping a merchant owner's uploaded import file between the preview and the import."""

from __future__ import annotations

from dataclasses import dataclass, field

from guildcard.kernel.ids import new_id
from guildcard.members.handlers.common import handlers
from guildcard.members.handlers.imports import importers_only
from guildcard.members.storage.uploads import UploadRepository
from guildcard.pipeline import Command, Work


@dataclass(frozen=True, kw_only=True)
class StageImportUpload(Command):
    scope = "members.stage_import_upload"
    alliance_id: str
    merchant_id: str
    filename: str
    content: bytes = field(repr=False)
    rows: int


@handlers.register(authorize=importers_only)
def stage_import_upload(command: StageImportUpload, work: Work) -> str:
    uploads = UploadRepository(work.connection)
    uploads.drop_older_than(command.alliance_id, work.now)  # yesterday's previews nobody imported
    upload_id = new_id("upl")
    uploads.add(
        alliance_id=command.alliance_id, upload_id=upload_id, merchant_id=command.merchant_id,
        filename=command.filename[:200], content=command.content, rows=command.rows,
        uploaded_by=work.actor.id, uploaded_at=work.now,
    )  # fmt: skip
    return upload_id
