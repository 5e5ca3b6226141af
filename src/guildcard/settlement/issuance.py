"""Issuance limits: a merchant may award at most N points per period (prepaid or on credit).

The counter calls ``check_issuance`` inside its own transaction, before the award. On
PostgreSQL it locks the merchant's limit row (``FOR UPDATE``) so two concurrent awards are
counted one after the other; on SQLite writers are serialized already.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Connection

from guildcard.ledger.queries.settlement import merchant_issued_between
from guildcard.settlement.domain.errors import IssuanceLimitExceeded
from guildcard.settlement.domain.periods import period_containing
from guildcard.settlement.domain.terms import LimitMode
from guildcard.settlement.storage.repository import Limit, SettlementRepository


@dataclass(frozen=True)
class LimitStatus:
    merchant_id: str
    period_key: str
    mode: LimitMode
    limit_points: int
    issued: int

    @property
    def remaining(self) -> int:
        return self.limit_points - self.issued

    @property
    def used(self) -> Decimal:
        """Share of the limit used, 0..1+ (a zero limit counts as fully used)."""
        if self.limit_points <= 0:
            return Decimal(1)
        return Decimal(self.issued) / Decimal(self.limit_points)


def status_of(conn: Connection, alliance_id: str, limit: Limit, at: datetime) -> LimitStatus:
    period = period_containing(limit.period_kind, at)
    issued = merchant_issued_between(conn, alliance_id, limit.merchant_id, period.starts_at, period.ends_at)
    return LimitStatus(limit.merchant_id, period.key, limit.mode, limit.limit_points, issued)


def check_issuance(conn: Connection, alliance_id: str, merchant_id: str, points: int, at: datetime) -> None:
    """Refuse an award of ``points`` by ``merchant_id`` at ``at`` beyond its limit for the period.

    A merchant without a limit is not limited. Raises ``IssuanceLimitExceeded`` with the figures.
    """
    limit = SettlementRepository(conn, alliance_id).limit(merchant_id, lock=True)
    if limit is None:
        return
    status = status_of(conn, alliance_id, limit, at)
    if status.issued + points > limit.limit_points:
        raise IssuanceLimitExceeded(
            f"本期积分发放额度不足: limit {limit.limit_points}, issued {status.issued}, requested {points}",
            merchant_id=merchant_id,
            period=status.period_key,
            limit=limit.limit_points,
            issued=status.issued,
            requested=points,
            remaining=max(status.remaining, 0),
        )


def near_limit(conn: Connection, alliance_id: str, at: datetime, threshold: Decimal) -> list[LimitStatus]:
    """Merchants that have used at least ``threshold`` of their limit this period, most used first."""
    statuses = [
        status_of(conn, alliance_id, limit, at) for limit in SettlementRepository(conn, alliance_id).limits()
    ]
    return sorted((s for s in statuses if s.used >= threshold), key=lambda s: (-s.used, s.merchant_id))
