"""Merges, phone aliases, match pairs, and moving an absorbed member's rows (purchase history, keys)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from guildcard.kernel.ids import new_id
from guildcard.members.storage.people_tables import (
    member_imports,
    member_linkage_runs,
    member_match_pairs,
    member_merges,
    member_phone_aliases,
    member_purchase_history,
)
from guildcard.members.storage.tables import members


class MergeRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def _upsert(self) -> Any:
        return pg_insert if self.conn.dialect.name == "postgresql" else sqlite_insert

    # --- merges ---------------------------------------------------------------------------

    def add_merge(self, **values: Any) -> None:
        self.conn.execute(insert(member_merges).values(**values))

    def merge(self, alliance_id: str, merge_id: str, *, lock: bool = False) -> Any:
        c = member_merges.c
        query = select(member_merges).where(c.alliance_id == alliance_id, c.merge_id == merge_id)
        return self.conn.execute(query.with_for_update() if lock else query).first()

    def merges(self, alliance_id: str, limit: int = 50) -> list[Any]:
        c = member_merges.c
        query = (
            select(member_merges).where(c.alliance_id == alliance_id).order_by(c.merge_id.desc()).limit(limit)
        )
        return list(self.conn.execute(query))

    def mark_undone(self, alliance_id: str, merge_id: str, *, by: str, now: datetime) -> None:
        c = member_merges.c
        self.conn.execute(
            update(member_merges)
            .where(c.alliance_id == alliance_id, c.merge_id == merge_id)
            .values(status="undone", undone_at=now, undone_by=by)
        )

    def set_status(self, alliance_id: str, member_id: str, status: str, now: datetime) -> None:
        self.conn.execute(
            update(members)
            .where(members.c.alliance_id == alliance_id, members.c.member_id == member_id)
            .values(status=status, updated_at=now)
        )

    def phone_hash_of(self, alliance_id: str, member_id: str) -> str | None:
        return self.conn.execute(
            select(members.c.phone_hash).where(
                members.c.alliance_id == alliance_id, members.c.member_id == member_id
            )
        ).scalar()

    def alias_phone(
        self, alliance_id: str, phone_hash: str, member_id: str, merge_id: str, absorbed: str
    ) -> None:
        a = member_phone_aliases.c
        self.conn.execute(
            self._upsert()(member_phone_aliases)
            .values(alliance_id=alliance_id, phone_hash=phone_hash, member_id=member_id, merge_id=merge_id)
            .on_conflict_do_update(
                index_elements=[a.alliance_id, a.phone_hash], set_={"member_id": member_id}
            )
        )
        # phones that resolved to the absorbed member now resolve to the survivor
        self.conn.execute(
            update(member_phone_aliases)
            .where(a.alliance_id == alliance_id, a.merge_id != merge_id, a.member_id == absorbed)
            .values(member_id=member_id)
        )

    def drop_aliases(self, alliance_id: str, merge_id: str) -> None:
        a = member_phone_aliases.c
        self.conn.execute(
            delete(member_phone_aliases).where(a.alliance_id == alliance_id, a.merge_id == merge_id)
        )

    # --- rows that follow the member ------------------------------------------------------

    def move_purchases(
        self, alliance_id: str, source: str, target: str, orders: list[tuple[str, str]] | None
    ) -> list[tuple[str, str]]:
        """Purchase history (merchant, order number) of ``source`` -> ``target``; what moved."""
        c = member_purchase_history.c
        if orders is None:
            orders = [
                (r.merchant_id, r.order_number)
                for r in self.conn.execute(
                    select(c.merchant_id, c.order_number).where(
                        c.alliance_id == alliance_id, c.member_id == source
                    )
                )
            ]
        for merchant_id, order in orders:
            self.conn.execute(
                update(member_purchase_history)
                .where(c.alliance_id == alliance_id, c.merchant_id == merchant_id, c.order_number == order)
                .values(member_id=target)
            )
        return orders

    def move_import_keys(
        self, alliance_id: str, source: str, target: str, keys: list[tuple[str, str]] | None
    ) -> list[tuple[str, str]]:
        """The merchants' member ids (merchant, external id) of ``source`` now name ``target``."""
        c = member_imports.c
        if keys is None:
            keys = [
                (r.merchant_id, r.external_id)
                for r in self.conn.execute(
                    select(c.merchant_id, c.external_id).where(
                        c.alliance_id == alliance_id, c.member_id == source
                    )
                )
            ]
        for merchant_id, external_id in keys:
            self.conn.execute(
                update(member_imports)
                .where(
                    c.alliance_id == alliance_id, c.merchant_id == merchant_id, c.external_id == external_id
                )
                .values(member_id=target)
            )
        return keys

    # --- match pairs ------------------------------------------------------------------------

    def save_pairs(self, alliance_id: str, pairs: list[dict[str, Any]], now: datetime) -> int:
        """New candidate pairs (a pair already found keeps its review); the number added."""
        c = member_match_pairs.c
        added = 0
        for pair in pairs:
            inserted = self.conn.execute(
                self._upsert()(member_match_pairs)
                .values(alliance_id=alliance_id, pair_id=new_id("mpr"), status="open", found_at=now, **pair)
                .on_conflict_do_nothing(index_elements=[c.alliance_id, c.member_l, c.member_r])
                .returning(c.pair_id)
            ).first()
            added += inserted is not None
        return added

    def pair(self, alliance_id: str, pair_id: str) -> Any:
        c = member_match_pairs.c
        return self.conn.execute(
            select(member_match_pairs).where(c.alliance_id == alliance_id, c.pair_id == pair_id)
        ).first()

    def pairs(self, alliance_id: str, *, status: str | None = "open", limit: int = 100) -> list[Any]:
        c = member_match_pairs.c
        query = select(member_match_pairs).where(c.alliance_id == alliance_id)
        if status:
            query = query.where(c.status == status)
        return list(self.conn.execute(query.order_by(c.probability.desc(), c.pair_id).limit(limit)))

    def set_pair_status(
        self, alliance_id: str, pair_id: str, status: str, *, by: str | None, now: datetime | None
    ) -> None:
        c = member_match_pairs.c
        self.conn.execute(
            update(member_match_pairs)
            .where(c.alliance_id == alliance_id, c.pair_id == pair_id)
            .values(status=status, reviewed_by=by, reviewed_at=now)
        )

    def last_run(self, alliance_id: str) -> datetime | None:
        c = member_linkage_runs.c
        return self.conn.execute(select(c.last_run_at).where(c.alliance_id == alliance_id)).scalar()

    def record_run(self, alliance_id: str, now: datetime, compared: int) -> None:
        c = member_linkage_runs.c
        self.conn.execute(
            self._upsert()(member_linkage_runs)
            .values(alliance_id=alliance_id, last_run_at=now, members_compared=compared)
            .on_conflict_do_update(
                index_elements=[c.alliance_id], set_={"last_run_at": now, "members_compared": compared}
            )
        )
