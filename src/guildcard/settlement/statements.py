"""Statements as the service reads them and the close command writes them: open or closed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from guildcard.settlement.compute import Computation, TermsCache, compute
from guildcard.settlement.domain.periods import Period
from guildcard.settlement.domain.statement import Figures, Line
from guildcard.settlement.domain.terms import BreakageMode, MerchantRef
from guildcard.settlement.ports import MemberSalesSource, TermsProvider
from guildcard.settlement.storage.activity import Selection
from guildcard.settlement.storage.repository import Run, SettlementRepository, StoredStatement


@dataclass(frozen=True)
class Statement:
    alliance_id: str
    period_key: str
    merchant_id: str
    merchant_name: str
    status: str  # "open" (a preview, may still change) or "closed" (final)
    figures: Figures
    lines: tuple[Line, ...]
    breakage_mode: BreakageMode
    checkpoint_seq: int | None = None
    checkpoint_root: str | None = None
    closed_at: datetime | None = None
    ledger_entry_id: str | None = None


@dataclass(frozen=True)
class CloseResult:
    period_key: str
    statements: list[Statement]
    checkpoint_seq: int
    checkpoint_root: str
    replayed: bool = False


def closed(alliance_id: str, period_key: str, run: Run, s: StoredStatement) -> Statement:
    return Statement(
        alliance_id,
        period_key,
        s.merchant_id,
        s.merchant_name,
        "closed",
        s.figures,
        s.lines,
        run.breakage_mode,
        run.checkpoint_seq,
        run.checkpoint_root,
        run.closed_at,
        s.ledger_entry_id,
    )


def closed_statements(repo: SettlementRepository, period_key: str, run: Run) -> list[Statement]:
    return [closed(repo.alliance_id, period_key, run, s) for s in repo.statements(period_key)]


def priced_by_merchant(
    conn: Connection,
    *,
    alliance_id: str,
    period: Period,
    selection: Selection,
    breakage: BreakageMode,
    terms: TermsProvider,
    sales: MemberSalesSource,
    now: datetime,
    earlier_open: bool = False,
) -> tuple[list[tuple[MerchantRef, tuple[Line, ...]]], Computation]:
    """Every merchant under contract (and any other with activity) with its priced lines.

    ``earlier_open``: an earlier period with activity is still open (see ``scope.py``).
    """
    merchants = terms.merchants(conn, alliance_id)
    computation = compute(
        conn,
        period=period,
        selection=selection,
        terms=TermsCache(terms, conn, alliance_id),
        sales_source=sales,
        merchant_ids=[m.id for m in merchants],
        breakage=breakage,
        now=now,
        earlier_open=earlier_open,
    )
    known = {m.id: m for m in merchants}
    for merchant_id in set(computation.priced) - set(known):
        known[merchant_id] = MerchantRef(merchant_id, merchant_id)
    empty: tuple[Line, ...] = ()
    return [
        (m, computation.priced[m.id].lines if m.id in computation.priced else empty)
        for m in sorted(known.values(), key=lambda m: m.id)
    ], computation
