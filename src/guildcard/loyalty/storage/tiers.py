"""Tier storage: the alliance's design, members' tiers, the tier log, gifts given.

Growth itself lives in the ledger (``member:{id}:growth``): its sums come from
``guildcard.ledger.queries.growth`` on the caller's connection.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from guildcard.kernel.ids import new_id
from guildcard.ledger.queries import growth as growth_queries
from guildcard.loyalty import tier_codec
from guildcard.loyalty.domain.tiers import MemberTier, TierChange, TierScheme
from guildcard.loyalty.storage.tables import loyalty_member_tiers as members_t
from guildcard.loyalty.storage.tables import loyalty_tier_gifts as gifts_t
from guildcard.loyalty.storage.tables import loyalty_tier_log as log_t
from guildcard.loyalty.storage.tables import loyalty_tier_schemes as schemes_t


def _insert(conn: Connection) -> Any:
    return pg_insert if conn.dialect.name == "postgresql" else sqlite_insert


class TierRepository:
    def __init__(self, connection: Connection, alliance_id: str) -> None:
        self.conn = connection
        self.alliance_id = alliance_id

    # --- the design --------------------------------------------------------------------

    def scheme(self, *, for_update: bool = False) -> TierScheme | None:
        query = select(schemes_t.c.scheme).where(schemes_t.c.alliance_id == self.alliance_id)
        raw = self.conn.execute(query.with_for_update() if for_update else query).scalar()
        return None if raw is None else tier_codec.scheme_from_dict(raw)

    def scheme_and_held(self, member_id: str) -> tuple[TierScheme | None, MemberTier | None]:
        """The design and the member's tier in one statement (the counter's hot path)."""
        joined = schemes_t.outerjoin(
            members_t,
            (members_t.c.alliance_id == schemes_t.c.alliance_id) & (members_t.c.member_id == member_id),
        )
        row = (
            self.conn.execute(
                select(schemes_t.c.scheme, members_t)
                .select_from(joined)
                .where(schemes_t.c.alliance_id == self.alliance_id)
            )
            .mappings()
            .first()
        )
        if row is None:
            return None, None
        scheme = tier_codec.scheme_from_dict(row["scheme"])
        return scheme, (_held(row) if row["member_id"] is not None else None)

    def save_scheme(self, scheme: TierScheme, *, actor_id: str, now: datetime) -> None:
        data = tier_codec.scheme_to_dict(scheme)
        stmt = _insert(self.conn)(schemes_t).values(
            alliance_id=self.alliance_id, scheme=data, version=1, updated_at=now, updated_by=actor_id
        )
        self.conn.execute(
            stmt.on_conflict_do_update(
                index_elements=["alliance_id"],
                set_={
                    "scheme": data,
                    "version": schemes_t.c.version + 1,
                    "updated_at": now,
                    "updated_by": actor_id,
                },
            )
        )

    # --- members' tiers ----------------------------------------------------------------

    def held(self, member_id: str, *, for_update: bool = False) -> MemberTier | None:
        query = select(members_t).where(
            members_t.c.alliance_id == self.alliance_id, members_t.c.member_id == member_id
        )
        row = self.conn.execute(query.with_for_update() if for_update else query).mappings().first()
        return None if row is None else _held(row)

    def all_held(self) -> list[MemberTier]:
        rows = self.conn.execute(select(members_t).where(members_t.c.alliance_id == self.alliance_id))
        return [_held(r) for r in rows.mappings()]

    def save(self, held: Sequence[MemberTier], *, now: datetime) -> None:
        """Upsert these members' tiers (one statement per batch)."""
        if not held:
            return
        rows = [{**asdict(h), "alliance_id": self.alliance_id, "updated_at": now} for h in held]
        stmt = _insert(self.conn)(members_t)
        changing = {k: stmt.excluded[k] for k in rows[0] if k not in ("alliance_id", "member_id")}
        self.conn.execute(
            stmt.on_conflict_do_update(index_elements=["alliance_id", "member_id"], set_=changing), rows
        )

    def counts_by_tier(self) -> dict[str, int]:
        query = (
            select(members_t.c.tier, func.count())
            .where(members_t.c.alliance_id == self.alliance_id)
            .group_by(members_t.c.tier)
        )
        return {str(tier): int(n) for tier, n in self.conn.execute(query)}

    # --- the log and gifts ---------------------------------------------------------------

    def log(self, changes: Iterable[TierChange], *, actor_id: str, at: datetime) -> None:
        rows = [
            {"alliance_id": self.alliance_id, "id": new_id("tcl"), "member_id": c.member_id,
             "from_tier": c.from_tier, "to_tier": c.to_tier, "reason": c.reason.value,
             "reference": c.reference, "note": c.note[:200], "actor_id": actor_id, "at": at}
            for c in changes
        ]  # fmt: skip
        if rows:
            self.conn.execute(insert(log_t), rows)

    def history(self, member_id: str, *, limit: int = 50) -> list[dict[str, Any]]:
        query = (
            select(log_t)
            .where(log_t.c.alliance_id == self.alliance_id, log_t.c.member_id == member_id)
            .order_by(log_t.c.at.desc(), log_t.c.id.desc())
            .limit(limit)
        )
        return [dict(r) for r in self.conn.execute(query).mappings()]

    def count_log(self, *, reasons: Iterable[str] | None = None) -> int:
        query = select(func.count()).select_from(log_t).where(log_t.c.alliance_id == self.alliance_id)
        if reasons is not None:
            query = query.where(log_t.c.reason.in_(list(reasons)))
        return int(self.conn.execute(query).scalar_one())

    def claim_gift(self, member_id: str, tier_code: str, points: int, *, now: datetime) -> bool:
        """True the first time this member reaches this tier; False ever after."""
        stmt = (
            _insert(self.conn)(gifts_t)
            .values(alliance_id=self.alliance_id, member_id=member_id, tier_code=tier_code,
                    points=points, entry_id=None, given_at=now)
            .on_conflict_do_nothing()
        )  # fmt: skip
        return bool(self.conn.execute(stmt).rowcount)

    def gift_entry(self, member_id: str, tier_code: str, entry_id: str) -> None:
        self.conn.execute(
            update(gifts_t)
            .where(gifts_t.c.alliance_id == self.alliance_id, gifts_t.c.member_id == member_id,
                   gifts_t.c.tier_code == tier_code)
            .values(entry_id=entry_id)
        )  # fmt: skip

    # --- growth (the ledger's, through its queries) --------------------------------------

    def growth(
        self, member_id: str, *, since: datetime | None, until: datetime, leave_out: str | None = None
    ) -> int:
        """The member's growth with ``since <= occurred_at < until``; ``leave_out`` a purchase:
        without its growth entry and the reversals of it (the caller adds what stands of it)."""
        return growth_queries.member_growth(
            self.conn, self.alliance_id, member_id, since=since, until=until, leave_out=leave_out
        )

    def growth_totals_query(self, *, since: datetime | None, until: datetime) -> Any:
        return growth_queries.growth_totals(self.alliance_id, since=since, until=until)

    def growth_by_member(self, *, since: datetime | None, until: datetime) -> dict[str, int]:
        """Every member's growth in the window, in one grouped query."""
        return growth_queries.growth_by_member(self.conn, self.alliance_id, since=since, until=until)


def _held(row: Any) -> MemberTier:
    return MemberTier(
        member_id=row["member_id"], growth_tier=row["growth_tier"], tier=row["tier"], since=row["since"],
        promoted_by=row["promoted_by"], grace_until=row["grace_until"], floor_tier=row["floor_tier"],
        floor_ends_at=row["floor_ends_at"], floor_reason=row["floor_reason"], card_tier=row["card_tier"],
        card_ends_at=row["card_ends_at"],
    )  # fmt: skip
