"""Operator commands and reports: breakage setting, issuance limits, near-limit list, liability."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from guildcard.db import idempotency
from guildcard.db.engine import Database
from guildcard.db.uow import SqlUnitOfWork
from guildcard.kernel.actors import Actor
from guildcard.kernel.clock import Clock
from guildcard.kernel.errors import InvalidInput
from guildcard.kernel.fingerprint import fingerprint
from guildcard.pipeline import CommandBus
from guildcard.settlement import access, issuance
from guildcard.settlement.domain.periods import PeriodKind, parse_period
from guildcard.settlement.domain.terms import BreakageMode, LimitMode
from guildcard.settlement.handlers import handlers
from guildcard.settlement.storage import activity
from guildcard.settlement.storage.repository import Limit, SettlementRepository


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
    def __init__(self, database: Database, *, clock: Clock, bus: CommandBus | None = None) -> None:
        self.database, self.clock = database, clock
        self.bus = bus or CommandBus(database, clock, [handlers])

    def set_breakage_mode(self, actor: Actor, mode: BreakageMode, *, idempotency_key: str) -> Applied:
        access.require_operator(actor)
        return self._apply(actor, "settlement.breakage", idempotency_key, {"breakage_mode": mode.value},
                           lambda repo: repo.set_breakage_mode(mode, self.clock.now()))  # fmt: skip

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
        access.require_operator(actor)
        if isinstance(limit_points, bool) or not isinstance(limit_points, int) or limit_points < 0:
            raise InvalidInput("a limit is a whole number of points >= 0", field="limit_points")
        limit = Limit(merchant_id, period_kind, limit_points, mode)
        values = {k: str(v) for k, v in asdict(limit).items()}
        return self._apply(
            actor,
            "settlement.limit",
            idempotency_key,
            values,
            lambda repo: repo.set_limit(limit, self.clock.now()),
        )

    def _apply(self, actor: Actor, scope: str, key: str, values: dict[str, Any], work: Any) -> Applied:
        with SqlUnitOfWork(self.database) as uow:
            conn, now = uow.connection, self.clock.now()
            replay = idempotency.claim(
                conn,
                alliance_id=actor.alliance_id,
                scope=scope,
                key=key,
                fingerprint=fingerprint(values),
                now=now,
            )
            if replay is not None:
                return Applied(dict(replay), replayed=True)
            work(SettlementRepository(conn, actor.alliance_id))
            idempotency.remember(conn, alliance_id=actor.alliance_id, scope=scope, key=key, response=values)
            uow.commit()
        return Applied(values)

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
