"""Assemble statements: ledger activity + member sales + entry fees, priced with the terms in force."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import Connection

from guildcard.settlement.domain.errors import TermsMissing
from guildcard.settlement.domain.periods import Period, period_containing
from guildcard.settlement.domain.statement import Activity, Component, PricedStatement, Source, price
from guildcard.settlement.domain.terms import BreakageMode, MemberSale, SettlementTerms
from guildcard.settlement.ports import MemberSalesSource, TermsProvider
from guildcard.settlement.storage import activity
from guildcard.settlement.storage.activity import Selection
from guildcard.settlement.storage.repository import SettlementRepository

# How far back a late member sale may have occurred and still be picked up by a close.
LATE_SALES_LOOKBACK = timedelta(days=92)
_LAST_INSTANT = timedelta(microseconds=1)

SOURCES_OF: dict[Component, tuple[Source, ...]] = {
    Component.ISSUE: (Source.ISSUED,),
    Component.REIMBURSEMENT: (Source.REDEEMED,),
    Component.GRANT_FUNDED: (Source.GRANT_REDEEMED,),
    Component.COMMISSION: (Source.SALE,),
    Component.REDEMPTION_FEE: (Source.REDEMPTION,),
    Component.ENTRY_FEE: (Source.ENTRY_FEE,),
    Component.BREAKAGE: (Source.EXPIRED,),
    Component.DIRECT: (Source.DIRECT,),
}


@dataclass(frozen=True)
class Computation:
    priced: dict[str, PricedStatement]
    rows: list[Activity]
    sales: list[MemberSale]
    entry_fees: list[tuple[str, str]]  # (merchant, terms version) charged here


class TermsCache:
    """The terms in force per merchant and moment, read once on ``conn`` (the caller's transaction)."""

    def __init__(self, provider: TermsProvider, conn: Connection, alliance_id: str) -> None:
        self.provider, self.conn, self.alliance_id = provider, conn, alliance_id
        self._seen: dict[tuple[str, datetime], SettlementTerms] = {}

    def __call__(self, merchant_id: str, at: datetime) -> SettlementTerms:
        key = (merchant_id, at)
        if key not in self._seen:
            terms = self.provider.terms_in_force(self.conn, self.alliance_id, merchant_id, at)
            if terms is None:
                raise TermsMissing(merchant_id=merchant_id, at=at.isoformat())
            self._seen[key] = terms
        return self._seen[key]


def with_corrections(rows: Iterable[Activity], period: Period) -> list[Activity]:
    """Mark rows that occurred before the period as corrections of the period they belong to."""
    return [
        row
        if row.occurred_at >= period.starts_at
        else replace(row, corrects=period_containing(period.kind, row.occurred_at).key)
        for row in rows
    ]


def unsettled_sales(
    repo: SettlementRepository,
    source: MemberSalesSource,
    period: Period,
    now: datetime,
    selection: Selection | None = None,
) -> list[MemberSale]:
    """Member sales not settled yet that this period takes (see ``Selection.takes``)."""
    sales = source.member_sales(
        repo.conn,
        repo.alliance_id,
        occurred_from=period.starts_at - LATE_SALES_LOOKBACK,
        occurred_until=period.ends_at,
        recorded_until=now,
    )
    settled = repo.settled_sale_ids([s.id for s in sales])
    return [s for s in sales if s.id not in settled and (selection is None or selection.takes(s.occurred_at))]


def ledger_rows(conn: Connection, sel: Selection) -> list[Activity]:
    return (
        activity.point_activity(conn, sel)
        + activity.lot_activity(conn, sel)
        + activity.money_activity(conn, sel)
    )


def compute(
    conn: Connection,
    *,
    period: Period,
    selection: Selection,
    terms: TermsCache,
    sales_source: MemberSalesSource,
    merchant_ids: list[str],
    breakage: BreakageMode,
    now: datetime,
    earlier_open: bool = False,
) -> Computation:
    repo = SettlementRepository(conn, selection.alliance_id)
    sales = unsettled_sales(repo, sales_source, period, now, selection)
    rows = ledger_rows(conn, selection)
    rows += [Activity(Source.SALE, s.merchant_id, s.id, s.occurred_at, s.amount) for s in sales]
    fees = due_entry_fees(repo, terms, merchant_ids, period, earlier_open=earlier_open)
    at = period.ends_at - _LAST_INSTANT
    rows += [Activity(Source.ENTRY_FEE, merchant, version, at, 1) for merchant, version in fees]
    rows = with_corrections(rows, period)
    return Computation(price(rows, terms, breakage=breakage), rows, sales, fees)


def due_entry_fees(
    repo: SettlementRepository,
    terms: TermsCache,
    merchant_ids: list[str],
    period: Period,
    *,
    earlier_open: bool = False,
) -> list[tuple[str, str]]:
    """Each contract version with an entry fee is charged once, on the first statement it is in force for.

    While an earlier period with activity is still open (``earlier_open``), a version already in
    force before this period starts is that earlier period's to charge, not this one's.
    """
    charged = repo.charged_entry_fees()
    due = []
    for merchant in merchant_ids:
        in_force = terms.provider.terms_in_force(
            repo.conn, repo.alliance_id, merchant, period.ends_at - _LAST_INSTANT
        )
        if not (in_force and in_force.entry_fee) or (merchant, in_force.version) in charged:
            continue
        if earlier_open and in_force.effective_from < period.starts_at:
            continue
        due.append((merchant, in_force.version))
    return due
