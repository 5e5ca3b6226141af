"""Read-only queries over the ledger's tables: what a statement is made of.

Which entries a statement covers (``Selection``): every entry that occurred before the period's
end, is in a checkpoint up to the run's (when closing), and is not already covered by a run
closed earlier. Entries that occurred before the period's start are late corrections.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, and_, exists, func, or_, select

from guildcard.ledger.domain import entries as ledger_chart
from guildcard.ledger.storage.tables import checkpoint_leaves, consumptions, entries, lots, postings
from guildcard.settlement.domain.chart import SETTLEMENT_KIND
from guildcard.settlement.domain.statement import Activity, Source
from guildcard.settlement.storage.tables import runs


@dataclass(frozen=True)
class Selection:
    alliance_id: str
    until: datetime  # entries that occurred before this instant
    max_checkpoint: int | None = None  # closing: only entries in checkpoints up to this seq
    closed_before: int | None = None  # a closed run's own set: ignore runs closed after it


def selected_entries(sel: Selection) -> Any:
    """A subquery (id, occurred_at) of the ledger entries a statement covers."""
    seq = checkpoint_leaves.c.checkpoint_seq
    covered = [
        runs.c.alliance_id == sel.alliance_id,
        entries.c.occurred_at < runs.c.ends_at,
        seq <= runs.c.checkpoint_seq,
    ]
    if sel.closed_before is not None:
        covered.append(runs.c.close_seq < sel.closed_before)
    stmt = (
        select(entries.c.id, entries.c.occurred_at, entries.c.reverses)
        .select_from(
            entries.outerjoin(
                checkpoint_leaves,
                and_(
                    checkpoint_leaves.c.alliance_id == entries.c.alliance_id,
                    checkpoint_leaves.c.entry_id == entries.c.id,
                ),
            )
        )
        .where(
            entries.c.alliance_id == sel.alliance_id,
            entries.c.kind != SETTLEMENT_KIND,
            entries.c.occurred_at < sel.until,
            ~exists().where(*covered),
        )
    )
    if sel.max_checkpoint is not None:
        stmt = stmt.where(seq <= sel.max_checkpoint)
    return stmt.subquery("selected")


def merchant_of(account: str) -> str:
    return account.split(":")[1]


def point_activity(conn: Connection, sel: Selection) -> list[Activity]:
    """Issued, redeemed and redemption rows from the postings on merchants' point accounts."""
    chosen = selected_entries(sel)
    stmt = (
        select(
            chosen.c.id,
            chosen.c.occurred_at,
            chosen.c.reverses,
            postings.c.account,
            func.sum(postings.c.amount),
        )
        .join(postings, and_(postings.c.alliance_id == sel.alliance_id, postings.c.entry_id == chosen.c.id))
        .where(
            postings.c.unit == "POINT",
            or_(postings.c.account.like("merchant:%:issued"), postings.c.account.like("merchant:%:redeemed")),
        )
        .group_by(chosen.c.id, chosen.c.occurred_at, chosen.c.reverses, postings.c.account)
    )
    rows: list[Activity] = []
    for entry_id, occurred_at, reverses, account, total in conn.execute(stmt):
        amount, merchant = int(total), merchant_of(account)
        if not amount:
            continue
        if account.endswith(":issued"):
            rows.append(Activity(Source.ISSUED, merchant, entry_id, occurred_at, -amount))
            continue
        rows.append(Activity(Source.REDEEMED, merchant, entry_id, occurred_at, amount))
        if amount > 0 and reverses is None:
            rows.append(Activity(Source.REDEMPTION, merchant, entry_id, occurred_at, 1))
    return rows


def _consumption_rows(conn: Connection, sel: Selection) -> Select[Any]:
    chosen = selected_entries(sel)
    return (
        select(
            chosen.c.id,
            chosen.c.occurred_at,
            lots.c.issuer,
            consumptions.c.target,
            func.sum(consumptions.c.amount),
        )
        .join(
            consumptions,
            and_(consumptions.c.alliance_id == sel.alliance_id, consumptions.c.entry_id == chosen.c.id),
        )
        .join(lots, and_(lots.c.alliance_id == sel.alliance_id, lots.c.id == consumptions.c.lot_id))
        .group_by(chosen.c.id, chosen.c.occurred_at, lots.c.issuer, consumptions.c.target)
    )


def lot_activity(conn: Connection, sel: Selection) -> list[Activity]:
    """Grant-funded redemptions and expired merchant points, from the lot consumption records."""
    stmt = _consumption_rows(conn, sel).where(
        or_(
            and_(
                lots.c.issuer == ledger_chart.PLATFORM_GRANTS,
                consumptions.c.target.like("merchant:%:redeemed"),
            ),
            and_(
                lots.c.issuer.like("merchant:%:issued"),
                consumptions.c.target == ledger_chart.PLATFORM_BREAKAGE,
            ),
        )
    )
    rows = []
    for entry_id, occurred_at, issuer, target, total in conn.execute(stmt):
        if not int(total):
            continue
        if target == ledger_chart.PLATFORM_BREAKAGE:
            rows.append(Activity(Source.EXPIRED, merchant_of(issuer), entry_id, occurred_at, int(total)))
        else:
            rows.append(
                Activity(Source.GRANT_REDEEMED, merchant_of(target), entry_id, occurred_at, int(total))
            )
    return rows


@dataclass(frozen=True)
class FlowRow:
    issuer: str  # merchant id, or "platform" for the alliance's own grants
    spent_at: str  # merchant id, or "mall"
    points: int


def flows(conn: Connection, sel: Selection) -> list[FlowRow]:
    """Points issued at A and spent at B among the selected entries (net of give-backs)."""
    stmt = _consumption_rows(conn, sel).where(
        or_(
            consumptions.c.target.like("merchant:%:redeemed"),
            consumptions.c.target == ledger_chart.PLATFORM_MALL,
        )
    )
    totals: dict[tuple[str, str], int] = {}
    for _entry, _at, issuer, target, total in conn.execute(stmt):
        source = merchant_of(issuer) if issuer.startswith("merchant:") else "platform"
        spent = merchant_of(target) if target.startswith("merchant:") else "mall"
        totals[(source, spent)] = totals.get((source, spent), 0) + int(total)
    return [FlowRow(a, b, n) for (a, b), n in sorted(totals.items()) if n]


def outstanding_by_issuer(conn: Connection, alliance_id: str) -> dict[str, int]:
    """Points not yet spent nor expired (active and pending lots), by issuing merchant or platform."""
    stmt = (
        select(lots.c.issuer, func.sum(lots.c.remaining))
        .where(lots.c.alliance_id == alliance_id, lots.c.state.in_(["active", "pending"]))
        .group_by(lots.c.issuer)
    )
    return {
        merchant_of(issuer) if issuer.startswith("merchant:") else "platform": int(total)
        for issuer, total in conn.execute(stmt)
        if int(total)
    }


def expired_by_issuer(conn: Connection, alliance_id: str, since: datetime, until: datetime) -> dict[str, int]:
    """Points moved to breakage by entries that occurred in [since, until), by issuer."""
    stmt = (
        select(lots.c.issuer, func.sum(consumptions.c.amount))
        .select_from(consumptions)
        .join(
            lots, and_(lots.c.alliance_id == consumptions.c.alliance_id, lots.c.id == consumptions.c.lot_id)
        )
        .join(
            entries,
            and_(
                entries.c.alliance_id == consumptions.c.alliance_id, entries.c.id == consumptions.c.entry_id
            ),
        )
        .where(
            consumptions.c.alliance_id == alliance_id,
            consumptions.c.target == ledger_chart.PLATFORM_BREAKAGE,
            entries.c.occurred_at >= since,
            entries.c.occurred_at < until,
        )
        .group_by(lots.c.issuer)
    )
    return {
        merchant_of(issuer) if issuer.startswith("merchant:") else "platform": int(total)
        for issuer, total in conn.execute(stmt)
        if int(total)
    }


def issued_between(
    conn: Connection, alliance_id: str, merchant_id: str, since: datetime, until: datetime
) -> int:
    """Net points the merchant issued by entries that occurred in [since, until)."""
    value = conn.execute(
        select(func.coalesce(-func.sum(postings.c.amount), 0))
        .select_from(postings)
        .join(
            entries,
            and_(entries.c.alliance_id == postings.c.alliance_id, entries.c.id == postings.c.entry_id),
        )
        .where(
            postings.c.alliance_id == alliance_id,
            postings.c.account == ledger_chart.merchant_issued(merchant_id),
            entries.c.occurred_at >= since,
            entries.c.occurred_at < until,
        )
    ).scalar_one()
    return int(value)


def entry_accounts(conn: Connection, alliance_id: str, entry_id: str) -> list[str]:
    return list(
        conn.execute(
            select(postings.c.account).where(
                postings.c.alliance_id == alliance_id, postings.c.entry_id == entry_id
            )
        ).scalars()
    )
