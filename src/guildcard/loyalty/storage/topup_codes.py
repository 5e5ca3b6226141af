"""Stored-value top-up code rows: batches (face value, paying merchant, expiry) and hashed codes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from guildcard.loyalty.storage.tables import loyalty_topup_code_batches as batches_t
from guildcard.loyalty.storage.tables import loyalty_topup_codes as codes_t


class TopUpCodeRepository:
    def __init__(self, connection: Connection, alliance_id: str) -> None:
        self.conn = connection
        self.a = alliance_id

    def add_batch(self, *, hashes: Sequence[str], **values: Any) -> None:
        self.conn.execute(insert(batches_t).values(alliance_id=self.a, size=len(hashes), **values))
        self.conn.execute(
            insert(codes_t),
            [
                {
                    "alliance_id": self.a,
                    "code_hash": h,
                    "batch_id": values["batch_id"],
                    "state": "open",
                    "expires_at": values["expires_at"],
                }
                for h in hashes
            ],
        )

    def batch(self, batch_id: str) -> dict[str, Any] | None:
        query = select(batches_t).where(batches_t.c.alliance_id == self.a, batches_t.c.batch_id == batch_id)
        row = self.conn.execute(query).mappings().first()
        return None if row is None else dict(row)

    def batches(self, *, merchant_id: str | None = None) -> list[dict[str, Any]]:
        """Newest first, each with its codes counted by state (one grouped query)."""
        counted = (
            select(codes_t.c.batch_id, codes_t.c.state, func.count())
            .where(codes_t.c.alliance_id == self.a)
            .group_by(codes_t.c.batch_id, codes_t.c.state)
        )
        states: dict[str, dict[str, int]] = {}
        for batch_id, state, n in self.conn.execute(counted):
            states.setdefault(batch_id, {})[state] = int(n)
        query = select(batches_t).where(batches_t.c.alliance_id == self.a)
        if merchant_id is not None:
            query = query.where(batches_t.c.merchant_id == merchant_id)
        rows = self.conn.execute(query.order_by(batches_t.c.created_at.desc(), batches_t.c.batch_id))
        return [{**dict(r), "states": states.get(r["batch_id"], {})} for r in rows.mappings()]

    def use(self, code_hash: str, *, member_id: str, topup_id: str, now: datetime) -> str | None:
        """One conditional UPDATE decides who wins a code: its batch if this call used it, else None."""
        result = self.conn.execute(
            update(codes_t)
            .where(
                codes_t.c.alliance_id == self.a,
                codes_t.c.code_hash == code_hash,
                codes_t.c.state == "open",
                codes_t.c.expires_at > now,
            )
            .values(state="used", used_by=member_id, used_at=now, topup_id=topup_id)
            .returning(codes_t.c.batch_id)
        )
        row = result.first()
        return None if row is None else str(row[0])

    def void(self, batch_id: str, *, code_hash: str | None = None) -> int:
        query = update(codes_t).where(
            codes_t.c.alliance_id == self.a, codes_t.c.batch_id == batch_id, codes_t.c.state == "open"
        )
        if code_hash is not None:
            query = query.where(codes_t.c.code_hash == code_hash)
        return int(self.conn.execute(query.values(state="void")).rowcount)

    def count_used(self) -> int:
        query = select(func.count()).where(codes_t.c.alliance_id == self.a, codes_t.c.state == "used")
        return int(self.conn.execute(query).scalar_one())
