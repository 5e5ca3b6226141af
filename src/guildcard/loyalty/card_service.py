"""Paid cards for the entry points: plans, sales at a counter, code batches, activation, reads.

Errors raised: ``CardInvalid``, ``CardNotFound``, ``CardCodeNotUsable``, ``CardsNotAllowed``,
``IdempotencyConflict``. Online payment is a later port (a development adapter only).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from guildcard.db.engine import Database
from guildcard.kernel.actors import Actor
from guildcard.kernel.clock import Clock
from guildcard.loyalty.card_handlers import (
    ActivateCardCode,
    CreateCardPlan,
    GenerateCardCodes,
    SellPaidCard,
    VoidCardCodes,
)
from guildcard.loyalty.domain.cards import CardPlan
from guildcard.loyalty.handlers import handlers
from guildcard.loyalty.service import Written
from guildcard.loyalty.storage.cards import CardRepository
from guildcard.pipeline import Command, CommandBus


class CardService:
    def __init__(self, database: Database, clock: Clock, *, bus: CommandBus | None = None) -> None:
        self.database = database
        self.clock = clock
        self.bus = bus or CommandBus(database, clock, [handlers])

    def plans(self, *, alliance_id: str) -> list[CardPlan]:
        with self.database.read() as conn:
            return CardRepository(conn, alliance_id).plans()

    def cards_of(self, *, alliance_id: str, member_id: str) -> list[dict[str, Any]]:
        with self.database.read() as conn:
            return CardRepository(conn, alliance_id).cards_of(member_id)

    def batches(self, *, alliance_id: str) -> list[dict[str, Any]]:
        with self.database.read() as conn:
            return CardRepository(conn, alliance_id).batches()

    def export_codes(self, *, alliance_id: str, batch_id: str) -> str:
        """The batch's codes as CSV (code, state, expires_at) for printing cards."""
        with self.database.read() as conn:
            rows = CardRepository(conn, alliance_id).codes(batch_id)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["code", "state", "expires_at"])
        for r in rows:
            writer.writerow([r["code"], r["state"], r["expires_at"].isoformat()])
        return out.getvalue()

    def create_plan(self, actor: Actor, *, idempotency_key: str, **fields: Any) -> Written[Any]:
        return self._run(actor, CreateCardPlan(idempotency_key=idempotency_key, **fields))

    def sell(
        self,
        actor: Actor,
        *,
        member_id: str,
        merchant_id: str,
        plan_id: str,
        idempotency_key: str,
        store_id: str | None = None,
    ) -> Written[Any]:
        command = SellPaidCard(
            member_id=member_id,
            merchant_id=merchant_id,
            plan_id=plan_id,
            store_id=store_id,
            idempotency_key=idempotency_key,
        )
        return self._run(actor, command)

    def generate_codes(
        self, actor: Actor, *, plan_id: str, size: int, expires_at: datetime, idempotency_key: str
    ) -> Written[Any]:
        command = GenerateCardCodes(
            plan_id=plan_id, size=size, expires_at=expires_at, idempotency_key=idempotency_key
        )
        return self._run(actor, command)

    def void_codes(
        self, actor: Actor, *, batch_id: str, idempotency_key: str, code: str | None = None
    ) -> Written[Any]:
        return self._run(actor, VoidCardCodes(batch_id=batch_id, code=code, idempotency_key=idempotency_key))

    def activate(self, actor: Actor, *, member_id: str, code: str, idempotency_key: str) -> Written[Any]:
        return self._run(
            actor, ActivateCardCode(member_id=member_id, code=code, idempotency_key=idempotency_key)
        )

    def _run(self, actor: Actor, command: Command) -> Written[Any]:
        outcome = self.bus.execute(actor, command)
        return Written(outcome.value, replayed=outcome.replayed)
