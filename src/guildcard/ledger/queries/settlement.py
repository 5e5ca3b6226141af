"""What settlement reads from the ledger, on the caller's connection: what statements are made of.

A statement covers a window of entries (``EntryWindow``): every entry of the alliance that
occurred before ``until``, is not of ``exclude_kind`` (settlement's own entries), lies in a
checkpoint up to ``max_checkpoint`` when one is given, and is not covered already. What is
covered is the caller's to say: ``covered`` is a subquery with the columns ``ends_at`` and
``checkpoint_seq`` (settlement's closed runs); an entry that occurred before a row's ``ends_at``
and lies in a checkpoint up to its ``checkpoint_seq`` is left out. Entries that belong to
earlier periods still open are the caller's to say too: with ``skip_until`` set, entries that
occurred before it (and at or after ``skip_from``, when given) are left out. Each read is one
set-based query; the window is a subquery of it, never a list of ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, FromClause, Select, and_, exists, func, or_, select

from guildcard.ledger.domain import entries as chart
from guildcard.ledger.storage.tables import (
    checkpoint_leaves,
    checkpoints,
    consumptions,
    entries,
    lots,
    postings,
)


@dataclass(frozen=True, eq=False)
class EntryWindow:
    alliance_id: str
    until: datetime  # entries that occurred before this instant
    max_checkpoint: int | None = None  # only entries in checkpoints up to this seq
    exclude_kind: str | None = None  # entries of this kind are left out
    covered: FromClause | None = None  # (ends_at, checkpoint_seq): what is covered already
    skip_from: datetime | None = None  # with skip_until: left out from here (None: from the start)
    skip_until: datetime | None = None  # entries that occurred in [skip_from, skip_until) are left out


@dataclass(frozen=True, slots=True)
class PointPosting:
    """An entry's net amount on one merchant's ``issued`` or ``redeemed`` points account."""

    entry_id: str
    occurred_at: datetime
    reverses: str | None
    account: str  # merchant:{id}:issued or merchant:{id}:redeemed
    amount: int


@dataclass(frozen=True, slots=True)
class LotDraw:
    """What an entry drew from the lots of one issuer into one target account (net)."""

    entry_id: str
    occurred_at: datetime
    issuer: str  # the lots' issuer account (merchant:{id}:issued or platform:grants)
    target: str  # where the points went
    amount: int


@dataclass(frozen=True, slots=True)
class MoneyPosting:
    """An entry's net amount on one merchant's FEN settlement account, with the entry's kind.

    Entries other than settlement's own that move money between a merchant and the platform
    (coupon funding, stored value, card sales, mall items) as they happen."""

    entry_id: str
    occurred_at: datetime
    kind: str
    account: str  # merchant:{id}:settlement
    amount: int  # + the merchant owes the alliance


def _selected(window: EntryWindow) -> Any:
    """A subquery (id, occurred_at, reverses, kind) of the entries in the window."""
    seq = checkpoint_leaves.c.checkpoint_seq
    stmt = select(entries.c.id, entries.c.occurred_at, entries.c.reverses, entries.c.kind).select_from(
        entries.outerjoin(
            checkpoint_leaves,
            and_(
                checkpoint_leaves.c.alliance_id == entries.c.alliance_id,
                checkpoint_leaves.c.entry_id == entries.c.id,
            ),
        )
    )
    stmt = stmt.where(entries.c.alliance_id == window.alliance_id)
    if window.exclude_kind is not None:
        stmt = stmt.where(entries.c.kind != window.exclude_kind)
    stmt = stmt.where(entries.c.occurred_at < window.until)
    if window.covered is not None:
        covered = window.covered.c
        stmt = stmt.where(
            ~exists().where(entries.c.occurred_at < covered.ends_at, seq <= covered.checkpoint_seq)
        )
    if window.max_checkpoint is not None:
        stmt = stmt.where(seq <= window.max_checkpoint)
    if window.skip_until is not None:
        kept = entries.c.occurred_at >= window.skip_until
        if window.skip_from is not None:
            kept = or_(kept, entries.c.occurred_at < window.skip_from)
        stmt = stmt.where(kept)
    return stmt.subquery("selected")


def earliest_occurrence(conn: Connection, window: EntryWindow) -> datetime | None:
    """When the earliest entry in the window occurred; None when the window is empty."""
    chosen = _selected(window)
    value = conn.execute(select(func.min(chosen.c.occurred_at))).scalar_one()
    return None if value is None else _aware(value)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def merchant_point_postings(conn: Connection, window: EntryWindow) -> list[PointPosting]:
    """Each entry's net amount on each merchant's issued and redeemed points accounts."""
    chosen = _selected(window)
    stmt = (
        select(
            chosen.c.id,
            chosen.c.occurred_at,
            chosen.c.reverses,
            postings.c.account,
            func.sum(postings.c.amount),
        )
        .join(
            postings, and_(postings.c.alliance_id == window.alliance_id, postings.c.entry_id == chosen.c.id)
        )
        .where(
            postings.c.unit == "POINT",
            or_(postings.c.account.like("merchant:%:issued"), postings.c.account.like("merchant:%:redeemed")),
        )
        .group_by(chosen.c.id, chosen.c.occurred_at, chosen.c.reverses, postings.c.account)
    )
    return [
        PointPosting(e, at, rev, account, int(total)) for e, at, rev, account, total in conn.execute(stmt)
    ]


def merchant_money_postings(conn: Connection, window: EntryWindow) -> list[MoneyPosting]:
    """Each entry's net FEN amount on each merchant's settlement account (entries in the window)."""
    chosen = _selected(window)
    stmt = (
        select(
            chosen.c.id, chosen.c.occurred_at, chosen.c.kind, postings.c.account, func.sum(postings.c.amount)
        )
        .join(
            postings, and_(postings.c.alliance_id == window.alliance_id, postings.c.entry_id == chosen.c.id)
        )
        .where(postings.c.unit == "FEN", postings.c.account.like("merchant:%:settlement"))
        .group_by(chosen.c.id, chosen.c.occurred_at, chosen.c.kind, postings.c.account)
    )
    return [
        MoneyPosting(e, at, kind, account, int(total))
        for e, at, kind, account, total in conn.execute(stmt)
        if total
    ]


def _draws(window: EntryWindow) -> Select[Any]:
    chosen = _selected(window)
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
            and_(consumptions.c.alliance_id == window.alliance_id, consumptions.c.entry_id == chosen.c.id),
        )
        .join(lots, and_(lots.c.alliance_id == window.alliance_id, lots.c.id == consumptions.c.lot_id))
        .group_by(chosen.c.id, chosen.c.occurred_at, lots.c.issuer, consumptions.c.target)
    )


def _lot_draws(conn: Connection, stmt: Select[Any]) -> list[LotDraw]:
    return [LotDraw(e, at, issuer, target, int(total)) for e, at, issuer, target, total in conn.execute(stmt)]


def grant_redemptions_and_expiries(conn: Connection, window: EntryWindow) -> list[LotDraw]:
    """Points the alliance granted that were spent at a merchant, and merchant-issued points that expired."""
    return _lot_draws(
        conn,
        _draws(window).where(
            or_(
                and_(
                    lots.c.issuer == chart.PLATFORM_GRANTS, consumptions.c.target.like("merchant:%:redeemed")
                ),
                and_(
                    lots.c.issuer.like("merchant:%:issued"), consumptions.c.target == chart.PLATFORM_BREAKAGE
                ),
            )
        ),
    )


def spending_draws(conn: Connection, window: EntryWindow) -> list[LotDraw]:
    """Points spent at a merchant or in the mall, by the issuer of the lots they came from."""
    return _lot_draws(
        conn,
        _draws(window).where(
            or_(
                consumptions.c.target.like("merchant:%:redeemed"),
                consumptions.c.target == chart.PLATFORM_MALL,
            )
        ),
    )


def outstanding_by_issuer_account(conn: Connection, alliance_id: str) -> dict[str, int]:
    """Points not yet spent nor expired (active and pending lots), by issuer account."""
    stmt = (
        select(lots.c.issuer, func.sum(lots.c.remaining))
        .where(lots.c.alliance_id == alliance_id, lots.c.state.in_(["active", "pending"]))
        .group_by(lots.c.issuer)
    )
    return {issuer: int(total) for issuer, total in conn.execute(stmt)}


def expired_by_issuer_account(
    conn: Connection, alliance_id: str, since: datetime, until: datetime
) -> dict[str, int]:
    """Points moved to breakage by entries that occurred in [since, until), by issuer account."""
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
            consumptions.c.target == chart.PLATFORM_BREAKAGE,
            entries.c.occurred_at >= since,
            entries.c.occurred_at < until,
        )
        .group_by(lots.c.issuer)
    )
    return {issuer: int(total) for issuer, total in conn.execute(stmt)}


def merchant_issued_between(
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
            postings.c.account == chart.merchant_issued(merchant_id),
            entries.c.occurred_at >= since,
            entries.c.occurred_at < until,
        )
    ).scalar_one()
    return int(value)


def latest_checkpoint(conn: Connection, alliance_id: str) -> tuple[int, str]:
    """(seq, root) of the alliance's latest checkpoint; (0, 64 zeros) before the first."""
    row = conn.execute(
        select(checkpoints.c.seq, checkpoints.c.root)
        .where(checkpoints.c.alliance_id == alliance_id)
        .order_by(checkpoints.c.seq.desc())
        .limit(1)
    ).first()
    return (0, "0" * 64) if row is None else (int(row.seq), row.root)


def entry_references(conn: Connection, alliance_id: str, ids: list[str]) -> dict[str, tuple[str, str | None]]:
    """(kind, reference) of each entry: what a statement's drill-down names instead of the id."""
    found: dict[str, tuple[str, str | None]] = {}
    for start in range(0, len(ids), 500):
        rows = conn.execute(
            select(entries.c.id, entries.c.kind, entries.c.reference).where(
                entries.c.alliance_id == alliance_id, entries.c.id.in_(ids[start : start + 500])
            )
        )
        found.update({entry_id: (kind, reference) for entry_id, kind, reference in rows})
    return found
