"""Read side: balances, lots, expiring points, history, account balances, flows."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, and_, case, func, select

from guildcard.ledger.domain import entries as chart
from guildcard.ledger.domain.results import Balance, Flow, HistoryItem, LotView
from guildcard.ledger.storage.tables import accounts, consumptions, entries, lots, postings


class LedgerQueries:
    def __init__(self, connection: Connection, *, alliance_id: str) -> None:
        self.conn = connection
        self.alliance_id = alliance_id

    def balance(self, member_id: str) -> Balance:
        codes = {
            chart.member_points(member_id): "points",
            chart.member_pending(member_id): "pending",
            chart.member_held(member_id): "held",
            chart.member_growth(member_id): "growth",
        }
        rows = self.conn.execute(
            select(accounts.c.code, accounts.c.balance).where(
                accounts.c.alliance_id == self.alliance_id, accounts.c.code.in_(list(codes))
            )
        )
        values = {codes[code]: int(balance or 0) for code, balance in rows}
        points = values.get("points", 0)
        return Balance(
            member_id=member_id,
            available=max(points, 0),
            pending=values.get("pending", 0),
            held=values.get("held", 0),
            debt=max(-points, 0),
            growth=values.get("growth", 0),
        )

    def lots(self, member_id: str, *, open_only: bool = True) -> list[LotView]:
        conditions = [lots.c.alliance_id == self.alliance_id, lots.c.member_id == member_id]
        if open_only:
            conditions += [lots.c.remaining > 0, lots.c.state != "voided"]
        rows = self.conn.execute(select(lots).where(*conditions).order_by(lots.c.available_at, lots.c.id))
        return [
            LotView(r.id, r.issuer, int(r.amount), int(r.remaining), r.state, r.available_at, r.expires_at)
            for r in rows
        ]

    def expiring_within(self, member_id: str, *, days: int, now: datetime) -> list[LotView]:
        """Spendable lots that expire within ``days`` from ``now``, soonest first."""
        horizon = now + timedelta(days=days)
        return sorted(
            (
                lot
                for lot in self.lots(member_id)
                if lot.state == "active" and lot.expires_at is not None and lot.expires_at <= horizon
            ),
            key=lambda lot: (lot.expires_at, lot.id),
        )

    def history(self, member_id: str, *, limit: int = 100) -> list[HistoryItem]:
        """The member's entries, latest first by when they happened (a backfill of 11-28 recorded
        on 12-02 sits with 11-28), with the merchant or platform account on the other side."""
        points_code, pending_code = chart.member_points(member_id), chart.member_pending(member_id)
        mine = and_(
            postings.c.alliance_id == entries.c.alliance_id,
            postings.c.entry_id == entries.c.id,
            postings.c.account.in_([points_code, pending_code]),
        )
        points_sum = func.coalesce(
            func.sum(case((postings.c.account == points_code, postings.c.amount), else_=0)), 0
        )
        pending_sum = func.coalesce(
            func.sum(case((postings.c.account == pending_code, postings.c.amount), else_=0)), 0
        )
        stmt = (
            select(entries, points_sum.label("points"), pending_sum.label("pending"))
            .join(postings, mine)
            .where(entries.c.alliance_id == self.alliance_id)
            .group_by(*entries.c)
            .order_by(entries.c.occurred_at.desc(), entries.c.recorded_at.desc(), entries.c.id.desc())
            .limit(limit)
        )
        return [
            HistoryItem(
                r.id,
                r.kind,
                r.occurred_at,
                int(r.points),
                int(r.pending),
                r.counterparty,
                r.reference,
                r.reverses,
            )
            for r in self.conn.execute(stmt)
        ]

    def account_balance(self, code: str) -> int:
        """Any account's balance as the sum of its postings (merchant and platform accounts cache none)."""
        value = self.conn.execute(
            select(func.coalesce(func.sum(postings.c.amount), 0)).where(
                postings.c.alliance_id == self.alliance_id, postings.c.account == code
            )
        ).scalar_one()
        return int(value)

    def flows(self, *, since: datetime | None = None, until: datetime | None = None) -> list[Flow]:
        """Points issued by each issuer and spent at each merchant/mall (net of restores): the flow matrix."""
        conditions = [
            consumptions.c.alliance_id == self.alliance_id,
            ~consumptions.c.target.like("member:%"),
            consumptions.c.target != chart.PLATFORM_BREAKAGE,
            ~consumptions.c.target.like("%:issued"),
            consumptions.c.target != chart.PLATFORM_GRANTS,
        ]
        if since is not None:
            conditions.append(entries.c.recorded_at >= since)
        if until is not None:
            conditions.append(entries.c.recorded_at < until)
        stmt = (
            select(lots.c.issuer, consumptions.c.target, func.sum(consumptions.c.amount))
            .select_from(consumptions)
            .join(
                lots,
                and_(lots.c.alliance_id == consumptions.c.alliance_id, lots.c.id == consumptions.c.lot_id),
            )
            .join(
                entries,
                and_(
                    entries.c.alliance_id == consumptions.c.alliance_id,
                    entries.c.id == consumptions.c.entry_id,
                ),
            )
            .where(*conditions)
            .group_by(lots.c.issuer, consumptions.c.target)
            .order_by(lots.c.issuer, consumptions.c.target)
        )
        return [
            Flow(issuer, target, int(total)) for issuer, target, total in self.conn.execute(stmt) if total
        ]

    def consumptions(self, entry_id: str) -> list[tuple[str, str, str, int]]:
        """What an entry drew from each lot: (lot id, issuer, target, amount)."""
        stmt = (
            select(consumptions.c.lot_id, lots.c.issuer, consumptions.c.target, consumptions.c.amount)
            .join(
                lots,
                and_(lots.c.alliance_id == consumptions.c.alliance_id, lots.c.id == consumptions.c.lot_id),
            )
            .where(consumptions.c.alliance_id == self.alliance_id, consumptions.c.entry_id == entry_id)
            .order_by(consumptions.c.lot_id)
        )
        return [(r[0], r[1], r[2], int(r[3])) for r in self.conn.execute(stmt)]


def expiring_by_member(
    conn: Connection, alliance_id: str, *, now: datetime, until: datetime
) -> dict[str, tuple[int, datetime]]:
    """Each member's spendable points expiring after ``now`` and by ``until``: how many and the
    first expiry (automation's "points about to expire")."""
    t = lots.c
    rows = conn.execute(
        select(t.member_id, func.sum(t.remaining), func.min(t.expires_at))
        .where(
            t.alliance_id == alliance_id, t.state == "active", t.remaining > 0,
            t.expires_at > now, t.expires_at <= until,
        )
        .group_by(t.member_id)
    )  # fmt: skip
    return {r[0]: (int(r[1]), r[2]) for r in rows}
