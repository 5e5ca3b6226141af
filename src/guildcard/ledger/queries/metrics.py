"""Points issued and redeemed across an alliance: the operator dashboard's headline figures.

Every query is scoped to one alliance and set-based (no per-row Python loop): the daily
trend buckets entries by business day (Asia/Shanghai) with one CASE over the day bounds,
so it works the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, case, func, or_, select

from guildcard.kernel.clock import start_of_business_day
from guildcard.ledger.domain.entries import PLATFORM_GRANTS, PLATFORM_MALL, Unit
from guildcard.ledger.storage.tables import entries, postings

_ISSUED = or_(postings.c.account.like("merchant:%:issued"), postings.c.account == PLATFORM_GRANTS)
_REDEEMED = or_(postings.c.account.like("merchant:%:redeemed"), postings.c.account == PLATFORM_MALL)


@dataclass(frozen=True)
class DayPoints:
    day: date
    issued: int
    redeemed: int


def _joined(alliance_id: str, since: datetime, until: datetime) -> tuple[Any, Any]:
    on = and_(entries.c.alliance_id == postings.c.alliance_id, entries.c.id == postings.c.entry_id)
    return (
        postings.join(entries, on),
        and_(
            postings.c.alliance_id == alliance_id,
            postings.c.unit == Unit.POINT.value,
            entries.c.occurred_at >= since,
            entries.c.occurred_at < until,
        ),
    )


def points_between(conn: Connection, alliance_id: str, since: datetime, until: datetime) -> tuple[int, int]:
    """(points issued, points redeemed) by entries that occurred in [since, until), net of reversals."""
    source, where = _joined(alliance_id, since, until)
    issued = func.coalesce(-func.sum(case((_ISSUED, postings.c.amount), else_=0)), 0)
    redeemed = func.coalesce(func.sum(case((_REDEEMED, postings.c.amount), else_=0)), 0)
    row = conn.execute(select(issued, redeemed).select_from(source).where(where)).one()
    return int(row[0]), int(row[1])


def daily_points(conn: Connection, alliance_id: str, *, last_day: date, days: int = 30) -> list[DayPoints]:
    """Points issued and redeemed per business day, for the ``days`` days ending with ``last_day``."""
    first_day = last_day - timedelta(days=days - 1)
    bounds = [start_of_business_day(first_day + timedelta(days=i + 1)) for i in range(days)]
    bucket = case(*[(entries.c.occurred_at < bound, i) for i, bound in enumerate(bounds)], else_=-1)
    source, where = _joined(alliance_id, start_of_business_day(first_day), bounds[-1])
    stmt = (
        select(
            bucket.label("bucket"),
            func.coalesce(-func.sum(case((_ISSUED, postings.c.amount), else_=0)), 0),
            func.coalesce(func.sum(case((_REDEEMED, postings.c.amount), else_=0)), 0),
        )
        .select_from(source)
        .where(where)
        .group_by(bucket)
    )
    found = {int(b): (int(i), int(r)) for b, i, r in conn.execute(stmt)}
    return [DayPoints(first_day + timedelta(days=i), *found.get(i, (0, 0))) for i in range(days)]
