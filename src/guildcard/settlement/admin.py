"""Operator commands and reports: breakage setting, issuance limits, near-limit list, liability."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from guildcard.db.engine import Database
from guildcard.kernel.actors import Actor
from guildcard.kernel.clock import Clock
from guildcard.pipeline import CommandBus
from guildcard.settlement import access, issuance
from guildcard.settlement.domain.periods import PeriodKind, parse_period
from guildcard.settlement.domain.terms import BreakageMode, LimitMode
from guildcard.settlement.handlers import SetBreakageMode, SetLimit, SettlementDeps, handlers
from guildcard.settlement.storage import activity
from guildcard.settlement.storage.repository import SettlementRepository


@dataclass(frozen=True)
class Liability:
    """Points outstanding by issuer now, and points expired in the period by issuer."""

    period_key: str
    breakage_mode: BreakageMode
    outstanding: dict[str, int]
    expired: dict[str, int]


@dataclass(frozen=True)
class Applied:
    """The result of an operator setting command; ``replayed`` when the key was used before."""

    values: dict[str, Any]
    replayed: bool = False


class SettlementAdmin:
    def __init__(
        self,
        database: Database,
        *,
        clock: Clock,
        bus: CommandBus | None = None,
        deps: SettlementDeps | None = None,
    ) -> None:
        """Standalone (``bus`` None, tests and tools): ``deps`` lets limits check their merchant."""
        self.database, self.clock = database, clock
        if bus is None:
            bus = CommandBus(database, clock, [handlers])
            if deps is not None:
                bus.provide("settlement", deps)
        self.bus = bus

    def set_breakage_mode(self, actor: Actor, mode: BreakageMode, *, idempotency_key: str) -> Applied:
        outcome = self.bus.execute(actor, SetBreakageMode(mode=mode, idempotency_key=idempotency_key))
        return Applied({"breakage_mode": outcome.value.value}, replayed=outcome.replayed)

    def set_limit(
        self,
        actor: Actor,
        *,
        merchant_id: str,
        limit_points: int,
        period_kind: PeriodKind,
        mode: LimitMode,
        idempotency_key: str,
    ) -> Applied:
        command = SetLimit(
            merchant_id=merchant_id,
            limit_points=limit_points,
            period_kind=period_kind,
            mode=mode,
            idempotency_key=idempotency_key,
        )
        outcome = self.bus.execute(actor, command)
        values = {k: str(v) for k, v in asdict(outcome.value).items()}
        return Applied(values, replayed=outcome.replayed)

    def limits(self, actor: Actor) -> list[issuance.LimitStatus]:
        access.require_operator(actor)
        with self.database.read() as conn:
            return [
                issuance.status_of(conn, actor.alliance_id, limit, self.clock.now())
                for limit in SettlementRepository(conn, actor.alliance_id).limits()
            ]

    def near_limit(self, actor: Actor, threshold: Decimal = Decimal("0.8")) -> list[issuance.LimitStatus]:
        """Merchants at or above ``threshold`` of their issuance limit this period (operators)."""
        access.require_operator(actor)
        with self.database.read() as conn:
            return issuance.near_limit(conn, actor.alliance_id, self.clock.now(), threshold)

    def liability(self, actor: Actor, period_key: str) -> Liability:
        access.require_operator(actor)
        period = parse_period(period_key)
        with self.database.read() as conn:
            return Liability(
                period.key,
                SettlementRepository(conn, actor.alliance_id).breakage_mode(),
                activity.outstanding_by_issuer(conn, actor.alliance_id),
                activity.expired_by_issuer(conn, actor.alliance_id, period.starts_at, period.ends_at),
            )
