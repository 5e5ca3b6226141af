"""Growth (成长值) sums from the postings of ``member:{id}:growth``, by the entries' ``occurred_at``.

Tiers read these (loyalty): one member's growth in a window, optionally leaving out one purchase
(its growth entry and the reversals of it, which may still be unwritten in the caller's
transaction), and every member's growth in one grouped query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select

from guildcard.ledger.domain.entries import Unit
from guildcard.ledger.storage.tables import entries as e
from guildcard.ledger.storage.tables import postings as p

PREFIX, SUFFIX = "member:", ":growth"


def _window(alliance_id: str, since: datetime | None, until: datetime, leave_out: str | None) -> Any:
    query = (
        select(p.c.account, func.sum(p.c.amount).label("growth"))
        .select_from(p.join(e, and_(e.c.alliance_id == p.c.alliance_id, e.c.id == p.c.entry_id)))
        .where(p.c.alliance_id == alliance_id, p.c.unit == Unit.GROWTH.value, e.c.occurred_at < until)
    )
    if since is not None:
        query = query.where(e.c.occurred_at >= since)
    if leave_out is not None:
        of_purchase = select(e.c.id).where(e.c.alliance_id == alliance_id, e.c.reference == leave_out)
        query = query.where(
            or_(e.c.reference.is_(None), e.c.reference != leave_out),
            or_(e.c.reverses.is_(None), ~e.c.reverses.in_(of_purchase)),
        )
    return query


def member_growth(
    conn: Connection, alliance_id: str, member_id: str, *, since: datetime | None, until: datetime,
    leave_out: str | None = None,
) -> int:  # fmt: skip
    """The member's growth with ``since <= occurred_at < until``, without purchase ``leave_out``."""
    query = _window(alliance_id, since, until, leave_out).where(p.c.account == f"{PREFIX}{member_id}{SUFFIX}")
    total = conn.execute(query.with_only_columns(func.coalesce(func.sum(p.c.amount), 0))).scalar_one()
    return int(total)


def growth_totals(alliance_id: str, *, since: datetime | None, until: datetime) -> Any:
    """A query of (account, growth) for every member account with growth in the window."""
    return (
        _window(alliance_id, since, until, None)
        .where(p.c.account.like(f"{PREFIX}%{SUFFIX}"))
        .group_by(p.c.account)
    )


def growth_by_member(
    conn: Connection, alliance_id: str, *, since: datetime | None, until: datetime
) -> dict[str, int]:
    cut = slice(len(PREFIX), -len(SUFFIX))
    rows = conn.execute(growth_totals(alliance_id, since=since, until=until))
    return {str(account)[cut]: int(total) for account, total in rows}


def purchase_growth_standing(conn: Connection, alliance_id: str, purchase_id: str) -> int:
    """What stands of a purchase's growth: its growth entry less every reversal of it.

    Read from the entries' headers, which the ledger writes at once (their postings may still
    be buffered in the caller's transaction)."""
    granted = select(e.c.id, e.c.amount).where(
        e.c.alliance_id == alliance_id, e.c.reference == purchase_id, e.c.kind == "growth"
    )
    rows = conn.execute(granted).all()
    if not rows:
        return 0
    ids = [r.id for r in rows]
    reversed_ = conn.execute(
        select(func.coalesce(func.sum(e.c.amount), 0)).where(
            e.c.alliance_id == alliance_id, e.c.reverses.in_(ids)
        )
    ).scalar_one()
    return sum(int(r.amount or 0) for r in rows) - int(reversed_)


@dataclass(frozen=True)
class GrowthLine:
    """One entry on the member's growth account (成长值明细), newest first."""

    entry_id: str
    kind: str  # the ledger entry's kind: growth (a purchase), reversal (a refund), transfer, …
    reference: str | None  # the purchase (growth) or refund (reversal) it was written for
    amount: int  # positive in, negative out
    at: datetime


def growth_lines(conn: Connection, alliance_id: str, member_id: str, *, limit: int = 50) -> list[GrowthLine]:
    """The member's latest growth entries with their amounts on the member's growth account."""
    query = (
        select(e.c.id, e.c.kind, e.c.reference, func.sum(p.c.amount), e.c.occurred_at)
        .select_from(p.join(e, and_(e.c.alliance_id == p.c.alliance_id, e.c.id == p.c.entry_id)))
        .where(
            p.c.alliance_id == alliance_id,
            p.c.unit == Unit.GROWTH.value,
            p.c.account == f"{PREFIX}{member_id}{SUFFIX}",
        )
        .group_by(e.c.id, e.c.kind, e.c.reference, e.c.occurred_at)
        .order_by(e.c.occurred_at.desc(), e.c.id.desc())
        .limit(limit)
    )
    return [GrowthLine(i, k, r, int(a), at) for i, k, r, a, at in conn.execute(query)]
