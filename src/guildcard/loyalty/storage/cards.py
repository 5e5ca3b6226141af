"""Paid-card rows: plans, members' cards, code batches and codes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from guildcard.loyalty.domain.cards import CardPlan, Period
from guildcard.loyalty.storage.tables import loyalty_card_batches as batches_t
from guildcard.loyalty.storage.tables import loyalty_card_codes as codes_t
from guildcard.loyalty.storage.tables import loyalty_card_plans as plans_t
from guildcard.loyalty.storage.tables import loyalty_member_cards as cards_t


class CardRepository:
    def __init__(self, connection: Connection, alliance_id: str) -> None:
        self.conn = connection
        self.a = alliance_id

    def add_plan(self, plan: CardPlan, *, now: datetime) -> None:
        self.conn.execute(
            insert(plans_t).values(
                alliance_id=self.a,
                plan_id=plan.plan_id,
                name=plan.name,
                price_fen=plan.price_fen,
                period=plan.period.value,
                days=plan.days,
                tier_code=plan.tier_code,
                benefits_text=plan.benefits_text,
                active=plan.active,
                created_at=now,
            )
        )

    def plans(self) -> list[CardPlan]:
        query = select(plans_t).where(plans_t.c.alliance_id == self.a).order_by(plans_t.c.price_fen)
        return [
            CardPlan(
                r["plan_id"],
                r["name"],
                int(r["price_fen"]),
                Period(r["period"]),
                int(r["days"]),
                r["tier_code"],
                r["benefits_text"],
                bool(r["active"]),
            )
            for r in self.conn.execute(query).mappings()
        ]

    def plan(self, plan_id: str) -> CardPlan | None:
        return next((p for p in self.plans() if p.plan_id == plan_id), None)

    def add_card(self, **values: Any) -> None:
        self.conn.execute(insert(cards_t).values(alliance_id=self.a, **values))

    def cards_of(self, member_id: str) -> list[dict[str, Any]]:
        query = (
            select(cards_t)
            .where(cards_t.c.alliance_id == self.a, cards_t.c.member_id == member_id)
            .order_by(cards_t.c.ends_at.desc())
        )
        return [dict(r) for r in self.conn.execute(query).mappings()]

    def card_ids_of(self, member_id: str) -> list[str]:
        query = select(cards_t.c.card_id).where(
            cards_t.c.alliance_id == self.a, cards_t.c.member_id == member_id
        )
        return sorted(str(r) for r in self.conn.execute(query).scalars())

    def reassign(self, card_ids: Sequence[str], *, to: str) -> None:
        """These cards now belong to member ``to`` (a merge, or its undo)."""
        if card_ids:
            self.conn.execute(
                update(cards_t)
                .where(cards_t.c.alliance_id == self.a, cards_t.c.card_id.in_(list(card_ids)))
                .values(member_id=to)
            )

    def valid_until(self, member_id: str) -> datetime | None:
        query = select(func.max(cards_t.c.ends_at)).where(
            cards_t.c.alliance_id == self.a, cards_t.c.member_id == member_id
        )
        value = self.conn.execute(query).scalar()
        return value if isinstance(value, datetime) else None

    def count_cards(self, *, source: str | None = None) -> int:
        query = select(func.count()).where(cards_t.c.alliance_id == self.a)
        if source:
            query = query.where(cards_t.c.source == source)
        return int(self.conn.execute(query).scalar_one())

    def add_batch(
        self,
        *,
        batch_id: str,
        plan_id: str,
        codes: list[str],
        expires_at: datetime,
        actor_id: str,
        now: datetime,
    ) -> None:
        self.conn.execute(
            insert(batches_t).values(
                alliance_id=self.a,
                batch_id=batch_id,
                plan_id=plan_id,
                size=len(codes),
                expires_at=expires_at,
                created_at=now,
                created_by=actor_id,
            )
        )
        self.conn.execute(
            insert(codes_t),
            [
                {
                    "alliance_id": self.a,
                    "code": c,
                    "batch_id": batch_id,
                    "state": "open",
                    "expires_at": expires_at,
                }
                for c in codes
            ],
        )

    def batch(self, batch_id: str) -> dict[str, Any] | None:
        query = select(batches_t).where(batches_t.c.alliance_id == self.a, batches_t.c.batch_id == batch_id)
        row = self.conn.execute(query).mappings().first()
        return None if row is None else dict(row)

    def batches(self) -> list[dict[str, Any]]:
        used = (
            select(codes_t.c.batch_id, codes_t.c.state, func.count().label("n"))
            .where(codes_t.c.alliance_id == self.a)
            .group_by(codes_t.c.batch_id, codes_t.c.state)
        )
        counts: dict[str, dict[str, int]] = {}
        for batch_id, state, n in self.conn.execute(used):
            counts.setdefault(batch_id, {})[state] = int(n)
        query = (
            select(batches_t).where(batches_t.c.alliance_id == self.a).order_by(batches_t.c.created_at.desc())
        )
        return [
            {**dict(r), "states": counts.get(r["batch_id"], {})} for r in self.conn.execute(query).mappings()
        ]

    def codes(self, batch_id: str) -> list[dict[str, Any]]:
        query = (
            select(codes_t)
            .where(codes_t.c.alliance_id == self.a, codes_t.c.batch_id == batch_id)
            .order_by(codes_t.c.code)
        )
        return [dict(r) for r in self.conn.execute(query).mappings()]

    def use_code(self, code: str, *, member_id: str, now: datetime) -> str | None:
        """One conditional UPDATE: the batch of the code if this call used it, else None."""
        result = self.conn.execute(
            update(codes_t)
            .where(
                codes_t.c.alliance_id == self.a,
                codes_t.c.code == code,
                codes_t.c.state == "open",
                codes_t.c.expires_at > now,
            )
            .values(state="used", used_by=member_id, used_at=now)
            .returning(codes_t.c.batch_id)
        )
        row = result.first()
        return None if row is None else str(row[0])

    def void(self, *, batch_id: str, code: str | None = None) -> int:
        query = update(codes_t).where(
            codes_t.c.alliance_id == self.a, codes_t.c.batch_id == batch_id, codes_t.c.state == "open"
        )
        if code is not None:
            query = query.where(codes_t.c.code == code)
        return int(self.conn.execute(query.values(state="void")).rowcount)
