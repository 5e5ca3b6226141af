"""Files uploaded on the import page, kept between the preview and the import (a day at most)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from guildcard.members.storage.people_tables import member_import_uploads

KEPT_FOR = timedelta(days=1)


class UploadRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, **values: Any) -> None:
        self.conn.execute(insert(member_import_uploads).values(**values))

    def get(self, alliance_id: str, upload_id: str) -> Any:
        c = member_import_uploads.c
        return self.conn.execute(
            select(member_import_uploads).where(c.alliance_id == alliance_id, c.upload_id == upload_id)
        ).first()

    def drop_older_than(self, alliance_id: str, now: datetime) -> int:
        c = member_import_uploads.c
        gone = self.conn.execute(
            delete(member_import_uploads).where(c.alliance_id == alliance_id, c.uploaded_at < now - KEPT_FOR)
        )
        return gone.rowcount or 0

    def mark_imported(self, alliance_id: str, upload_id: str, batch_id: str) -> None:
        c = member_import_uploads.c
        self.conn.execute(
            update(member_import_uploads)
            .where(c.alliance_id == alliance_id, c.upload_id == upload_id)
            .values(batch_id=batch_id)
        )
