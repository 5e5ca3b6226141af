"""Possible-duplicate flags awaiting an operator's review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from guildcard.kernel.ids import new_id
from guildcard.members.domain.duplicates import Verdict
from guildcard.members.storage.tables import member_duplicate_flags as flags


@dataclass(frozen=True)
class DuplicateFlag:
    alliance_id: str
    flag_id: str
    member_a: str
    member_b: str
    score: int
    reason: str
    status: Verdict
    flagged_at: datetime
    reviewed_at: datetime | None
    reviewed_by: str | None


def _flag(row: Any) -> DuplicateFlag:
    return DuplicateFlag(
        row.alliance_id,
        row.flag_id,
        row.member_a,
        row.member_b,
        row.score,
        row.reason,
        Verdict(row.status),
        row.flagged_at,
        row.reviewed_at,
        row.reviewed_by,
    )


class DuplicateRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def flag(
        self, *, alliance_id: str, pair: tuple[str, str], score: int, reason: str, now: datetime
    ) -> bool:
        """Flag a pair once; False when it was flagged before (whatever its review)."""
        upsert = pg_insert if self.conn.dialect.name == "postgresql" else sqlite_insert
        inserted = self.conn.execute(
            upsert(flags)
            .values(
                alliance_id=alliance_id,
                flag_id=new_id("dup"),
                member_a=pair[0],
                member_b=pair[1],
                score=score,
                reason=reason,
                status=Verdict.OPEN.value,
                flagged_at=now,
            )
            .on_conflict_do_nothing()
            .returning(flags.c.flag_id)
        ).first()
        return inserted is not None

    def list(self, alliance_id: str, *, status: Verdict | None = None) -> list[DuplicateFlag]:
        query = select(flags).where(flags.c.alliance_id == alliance_id)
        if status is not None:
            query = query.where(flags.c.status == status.value)
        return [_flag(r) for r in self.conn.execute(query.order_by(flags.c.flagged_at, flags.c.flag_id))]

    def get(self, alliance_id: str, flag_id: str, *, lock: bool = False) -> DuplicateFlag | None:
        query = select(flags).where(flags.c.alliance_id == alliance_id, flags.c.flag_id == flag_id)
        row = self.conn.execute(query.with_for_update() if lock else query).first()
        return _flag(row) if row else None

    def review(self, alliance_id: str, flag_id: str, verdict: Verdict, *, by: str, now: datetime) -> None:
        self.conn.execute(
            update(flags)
            .where(flags.c.alliance_id == alliance_id, flags.c.flag_id == flag_id)
            .values(status=verdict.value, reviewed_at=now, reviewed_by=by)
        )
