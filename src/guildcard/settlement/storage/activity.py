"""What a statement is made of: the ledger's activity, read through the ledger's queries.

Which entries a statement covers (``Selection``): every entry that occurred before the period's
end, is in a checkpoint up to the run's (when closing), and is not already covered by a run
closed earlier, and does not belong to an earlier period that is still open. Entries that
occurred before the period's start, in a period already closed, are late corrections; an open
period's entries stay in it (``skip_from``/``skip_until``: see ``settlement/scope.py``). The runs
closed earlier are settlement's own table; the ledger's queries take them as a subquery, so
each read stays one set-based query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from guildcard.ledger.domain import entries as ledger_chart
from guildcard.ledger.queries import settlement as ledger
from guildcard.ledger.queries.settlement import EntryWindow
from guildcard.settlement.domain.chart import SETTLEMENT_KIND
from guildcard.settlement.domain.statement import Activity, Source
from guildcard.settlement.storage.tables import runs


@dataclass(frozen=True)
class Selection:
    alliance_id: str
    until: datetime  # entries that occurred before this instant
    max_checkpoint: int | None = None  # closing: only entries in checkpoints up to this seq
    closed_before: int | None = None  # a closed run's own set: ignore runs closed after it
    # Entries of earlier periods still open, [skip_from, skip_until), are left out (skip_from
    # None: from the beginning); None skip_until: nothing is left out.
    skip_from: datetime | None = None
    skip_until: datetime | None = None

    def takes(self, moment: datetime) -> bool:
        """Whether activity that occurred at ``moment`` (before ``until``) belongs here."""
        if self.skip_until is None or moment >= self.skip_until:
            return True
        return self.skip_from is not None and moment < self.skip_from


def window(sel: Selection) -> EntryWindow:
    """The ledger's window of the entries a statement covers."""
    closed = select(runs.c.ends_at, runs.c.checkpoint_seq).where(runs.c.alliance_id == sel.alliance_id)
    if sel.closed_before is not None:
        closed = closed.where(runs.c.close_seq < sel.closed_before)
    return EntryWindow(
        sel.alliance_id,
        sel.until,
        max_checkpoint=sel.max_checkpoint,
        exclude_kind=SETTLEMENT_KIND,
        covered=closed.subquery("covered"),
        skip_from=sel.skip_from,
        skip_until=sel.skip_until,
    )


def merchant_of(account: str) -> str:
    return account.split(":")[1]


def _issuer(account: str) -> str:
    return merchant_of(account) if account.startswith("merchant:") else "platform"


def point_activity(conn: Connection, sel: Selection) -> list[Activity]:
    """Issued, redeemed and redemption rows from the postings on merchants' point accounts."""
    rows: list[Activity] = []
    for p in ledger.merchant_point_postings(conn, window(sel)):
        amount, merchant = p.amount, merchant_of(p.account)
        if not amount:
            continue
        if p.account.endswith(":issued"):
            rows.append(Activity(Source.ISSUED, merchant, p.entry_id, p.occurred_at, -amount))
            continue
        rows.append(Activity(Source.REDEEMED, merchant, p.entry_id, p.occurred_at, amount))
        if amount > 0 and p.reverses is None:
            rows.append(Activity(Source.REDEMPTION, merchant, p.entry_id, p.occurred_at, 1))
    return rows


def money_activity(conn: Connection, sel: Selection) -> list[Activity]:
    """Direct rows: money an entry moved to or from a merchant's settlement account as it
    happened (coupon funding, stored value, card sales, mall items), with the entry's kind."""
    return [
        Activity(Source.DIRECT, merchant_of(p.account), p.entry_id, p.occurred_at, p.amount, kind=p.kind)
        for p in ledger.merchant_money_postings(conn, window(sel))
    ]


def lot_activity(conn: Connection, sel: Selection) -> list[Activity]:
    """Grant-funded redemptions and expired merchant points, from the lot consumption records."""
    rows = []
    for d in ledger.grant_redemptions_and_expiries(conn, window(sel)):
        if not d.amount:
            continue
        if d.target == ledger_chart.PLATFORM_BREAKAGE:
            rows.append(Activity(Source.EXPIRED, merchant_of(d.issuer), d.entry_id, d.occurred_at, d.amount))
        else:
            rows.append(
                Activity(Source.GRANT_REDEEMED, merchant_of(d.target), d.entry_id, d.occurred_at, d.amount)
            )
    return rows


@dataclass(frozen=True)
class FlowRow:
    issuer: str  # merchant id, or "platform" for the alliance's own grants
    spent_at: str  # merchant id, or "mall"
    points: int


def flows(conn: Connection, sel: Selection) -> list[FlowRow]:
    """Points issued at A and spent at B among the selected entries (net of give-backs)."""
    totals: dict[tuple[str, str], int] = {}
    for d in ledger.spending_draws(conn, window(sel)):
        spent = merchant_of(d.target) if d.target.startswith("merchant:") else "mall"
        key = (_issuer(d.issuer), spent)
        totals[key] = totals.get(key, 0) + d.amount
    return [FlowRow(a, b, n) for (a, b), n in sorted(totals.items()) if n]


def outstanding_by_issuer(conn: Connection, alliance_id: str) -> dict[str, int]:
    """Points not yet spent nor expired (active and pending lots), by issuing merchant or platform."""
    found = ledger.outstanding_by_issuer_account(conn, alliance_id)
    return {_issuer(issuer): total for issuer, total in found.items() if total}


def expired_by_issuer(conn: Connection, alliance_id: str, since: datetime, until: datetime) -> dict[str, int]:
    """Points moved to breakage by entries that occurred in [since, until), by issuer."""
    found = ledger.expired_by_issuer_account(conn, alliance_id, since, until)
    return {_issuer(issuer): total for issuer, total in found.items() if total}
