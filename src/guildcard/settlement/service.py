"""``SettlementService``: statements per period and merchant, close, drill-down, proofs, flows.

Each command is one unit of work. Closing a period takes a ledger checkpoint that covers it,
prices every uncovered entry that occurred before the period's end, posts one FEN entry per
merchant (idempotency key ``settle:{period}:{merchant}``), stores the statements, and takes a
second checkpoint so the settlement entries themselves can be proven at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from guildcard.db.engine import Database
from guildcard.db.uow import SqlUnitOfWork, retrying
from guildcard.kernel.actors import Actor
from guildcard.kernel.clock import Clock
from guildcard.ledger import Ledger, Posting, Unit
from guildcard.ledger.checkpoints import inclusion_proof, make_checkpoint
from guildcard.ledger.domain.results import InclusionProof
from guildcard.ledger.keys import KeyStore
from guildcard.ledger.storage.tables import checkpoints
from guildcard.settlement import access
from guildcard.settlement.compute import (
    SOURCES_OF,
    Computation,
    TermsCache,
    compute,
    unsettled_sales,
    with_corrections,
)
from guildcard.settlement.domain import chart
from guildcard.settlement.domain.errors import EntryNotInStatement, PeriodNotOver, StatementNotFound
from guildcard.settlement.domain.periods import Period, parse_period
from guildcard.settlement.domain.statement import Component, Figures, Line, figures_of, postings
from guildcard.settlement.domain.terms import BreakageMode, MemberSalesSource, MerchantRef, TermsProvider
from guildcard.settlement.storage import activity
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


@dataclass(frozen=True)
class DrillItem:
    """One ledger entry (or member sale, or contract version) behind a statement figure."""

    ref: str
    kind: str  # "entry", "sale" or "terms"
    occurred_at: datetime
    quantity: int
    corrects: str | None


class SettlementService:
    def __init__(
        self,
        database: Database,
        *,
        clock: Clock,
        terms: TermsProvider,
        sales: MemberSalesSource,
        keys: KeyStore,
    ) -> None:
        self.database, self.clock, self.terms, self.sales, self.keys = database, clock, terms, sales, keys

    # --- reading statements ---------------------------------------------------------------------

    def statements(self, actor: Actor, period_key: str) -> list[Statement]:
        """Every merchant's statement for the period that ``actor`` may see (a preview while open)."""
        period = parse_period(period_key)
        with self.database.read() as conn:
            found = self._statements(conn, actor.alliance_id, period)
        visible = set(access.visible_merchants(actor, [s.merchant_id for s in found]))
        return [s for s in found if s.merchant_id in visible]

    def statement(self, actor: Actor, period_key: str, merchant_id: str) -> Statement:
        access.require_merchant(actor, merchant_id)
        for found in self.statements(actor, period_key):
            if found.merchant_id == merchant_id:
                return found
        raise StatementNotFound(period=period_key)

    def _statements(self, conn: Connection, alliance_id: str, period: Period) -> list[Statement]:
        repo = SettlementRepository(conn, alliance_id)
        run = repo.run(period.key)
        if run is not None:
            return [_closed(alliance_id, period.key, run, s) for s in repo.statements(period.key)]
        mode = repo.breakage_mode()
        computed, _ = self._compute(conn, alliance_id, period, Selection(alliance_id, period.ends_at), mode)
        return [
            Statement(alliance_id, period.key, m.id, m.name, "open", figures_of(lines), lines, mode)
            for m, lines in computed
        ]

    def _merchants(self, alliance_id: str, extra: set[str]) -> list[MerchantRef]:
        known = {m.id: m for m in self.terms.merchants(alliance_id)}
        for merchant_id in extra - set(known):
            known[merchant_id] = MerchantRef(merchant_id, merchant_id)
        return sorted(known.values(), key=lambda m: m.id)

    def _compute(
        self, conn: Connection, alliance_id: str, period: Period, sel: Selection, mode: BreakageMode
    ) -> tuple[list[tuple[MerchantRef, tuple[Line, ...]]], Computation]:
        computation = compute(
            conn,
            period=period,
            selection=sel,
            terms=TermsCache(self.terms, alliance_id),
            sales_source=self.sales,
            merchant_ids=[m.id for m in self.terms.merchants(alliance_id)],
            breakage=mode,
            now=self.clock.now(),
        )
        merchants = self._merchants(alliance_id, set(computation.priced))
        empty: tuple[Line, ...] = ()
        lines = [
            (m, computation.priced[m.id].lines if m.id in computation.priced else empty) for m in merchants
        ]
        return lines, computation

    # --- closing ----------------------------------------------------------------------------------

    def close(self, actor: Actor, period_key: str) -> CloseResult:
        """Close the period for every merchant: once. Closing it again returns the first result."""
        access.require_operator(actor)
        period = parse_period(period_key)
        if self.clock.now() < period.ends_at:
            raise PeriodNotOver(period=period.key, ends_at=period.ends_at.isoformat())
        return retrying(lambda: self._close(actor.alliance_id, period))

    def _close(self, alliance_id: str, period: Period) -> CloseResult:
        with SqlUnitOfWork(self.database) as uow:
            conn, now = uow.connection, self.clock.now()
            # The checkpoint also takes the alliance's ledger lock: closes are serialized.
            make_checkpoint(conn, alliance_id=alliance_id, keys=self.keys, now=now)
            repo = SettlementRepository(conn, alliance_id)
            run = repo.run(period.key)
            if run is not None:
                statements = [_closed(alliance_id, period.key, run, s) for s in repo.statements(period.key)]
                return CloseResult(
                    period.key, statements, run.checkpoint_seq, run.checkpoint_root, replayed=True
                )
            cp = _latest_checkpoint(conn, alliance_id)
            mode = repo.breakage_mode()
            sel = Selection(alliance_id, period.ends_at, max_checkpoint=cp[0])
            computed, computation = self._compute(conn, alliance_id, period, sel, mode)
            ledger = Ledger(conn, alliance_id=alliance_id, clock=self.clock)
            stored = [self._settle(ledger, period, m, lines, mode) for m, lines in computed]
            run = Run(
                period.key, repo.next_close_seq(), cp[0], cp[1], mode, now, period.starts_at, period.ends_at
            )
            repo.add_run(period, run)
            for statement in stored:
                repo.add_statement(period.key, statement, now)
            repo.add_sales(period.key, [(s.id, s.merchant_id, s.amount) for s in computation.sales])
            repo.add_entry_fees(period.key, computation.entry_fees)
            make_checkpoint(conn, alliance_id=alliance_id, keys=self.keys, now=now)
            uow.commit()
        return CloseResult(
            period.key, [_closed(alliance_id, period.key, run, s) for s in stored], cp[0], cp[1]
        )

    def _settle(
        self,
        ledger: Ledger,
        period: Period,
        merchant: MerchantRef,
        lines: tuple[Line, ...],
        mode: BreakageMode,
    ) -> StoredStatement:
        lines_out = postings(merchant.id, lines, breakage=mode)
        entry_id = None
        if lines_out:
            entry_id = ledger.post(
                kind=chart.SETTLEMENT_KIND,
                postings=[Posting(account, Unit.FEN, amount) for account, amount in lines_out],
                idempotency_key=f"settle:{period.key}:{merchant.id}",
                reference=f"settlement:{period.key}:{merchant.id}",
                occurred_at=period.ends_at,
            ).entry_id
        return StoredStatement(merchant.id, merchant.name, figures_of(lines), lines, entry_id)

    # --- drill-down, proofs, flows ------------------------------------------------------------

    def drill_down(
        self, actor: Actor, period_key: str, merchant_id: str, component: Component
    ) -> list[DrillItem]:
        """The entries (or sales, or contract version) behind one figure of a statement."""
        access.require_merchant(actor, merchant_id)
        if merchant_id not in {m.id for m in self.terms.merchants(actor.alliance_id)}:
            raise StatementNotFound(period=period_key)  # another alliance's merchant: not disclosed
        period = parse_period(period_key)
        with self.database.read() as conn:
            repo = SettlementRepository(conn, actor.alliance_id)
            run = repo.run(period.key)
            sel = _selection(actor.alliance_id, period, run)
            if component is Component.COMMISSION:
                return self._sales_items(repo, period, run, merchant_id)
            if component is Component.ENTRY_FEE:
                return self._fee_items(repo, period, run, merchant_id)
            rows = activity.point_activity(conn, sel) + activity.lot_activity(conn, sel)
        wanted = SOURCES_OF[component]
        return [
            DrillItem(r.ref, "entry", r.occurred_at, r.quantity, r.corrects)
            for r in sorted(with_corrections(rows, period), key=lambda r: (r.occurred_at, r.ref))
            if r.merchant_id == merchant_id and r.source in wanted
        ]

    def _sales_items(
        self, repo: SettlementRepository, period: Period, run: Run | None, merchant_id: str
    ) -> list[DrillItem]:
        if run is None:
            sales = [
                s
                for s in unsettled_sales(repo, self.sales, period, self.clock.now())
                if s.merchant_id == merchant_id
            ]
            return [
                DrillItem(
                    s.id,
                    "sale",
                    s.occurred_at,
                    s.amount,
                    None if s.occurred_at >= period.starts_at else "late",
                )
                for s in sales
            ]
        return [
            DrillItem(sale_id, "sale", run.ends_at, amount, None)
            for sale_id, amount in repo.sales_of(period.key, merchant_id)
        ]

    def _fee_items(
        self, repo: SettlementRepository, period: Period, run: Run | None, merchant_id: str
    ) -> list[DrillItem]:
        statements = self._statements(repo.conn, repo.alliance_id, period)
        return [
            DrillItem(line.terms_version, "terms", period.ends_at, line.quantity, None)
            for s in statements
            if s.merchant_id == merchant_id
            for line in s.lines
            if line.component is Component.ENTRY_FEE
        ]

    def proof(self, actor: Actor, period_key: str, merchant_id: str, entry_id: str) -> InclusionProof:
        """The inclusion proof of an entry behind a closed statement (or of its settlement entry)."""
        statement = self.statement(actor, period_key, merchant_id)
        if statement.status != "closed":
            raise StatementNotFound(
                "the statement is not closed yet", period=period_key, merchant_id=merchant_id
            )
        behind = {statement.ledger_entry_id} | {
            item.ref
            for component in Component
            for item in self.drill_down(actor, period_key, merchant_id, component)
            if item.kind == "entry"
        }
        if entry_id not in behind:
            raise EntryNotInStatement(entry_id=entry_id)
        with self.database.read() as conn:
            return inclusion_proof(conn, alliance_id=actor.alliance_id, entry_id=entry_id)

    def flow_matrix(self, actor: Actor, period_key: str) -> list[activity.FlowRow]:
        """Points issued at A and spent at B among the period's entries (operators only)."""
        access.require_operator(actor)
        period = parse_period(period_key)
        with self.database.read() as conn:
            run = SettlementRepository(conn, actor.alliance_id).run(period.key)
            return activity.flows(conn, _selection(actor.alliance_id, period, run))


def _selection(alliance_id: str, period: Period, run: Run | None) -> Selection:
    if run is None:
        return Selection(alliance_id, period.ends_at)
    return Selection(alliance_id, run.ends_at, max_checkpoint=run.checkpoint_seq, closed_before=run.close_seq)


def _latest_checkpoint(conn: Connection, alliance_id: str) -> tuple[int, str]:
    row = conn.execute(
        select(checkpoints.c.seq, checkpoints.c.root)
        .where(checkpoints.c.alliance_id == alliance_id)
        .order_by(checkpoints.c.seq.desc())
        .limit(1)
    ).first()
    return (0, "0" * 64) if row is None else (int(row.seq), row.root)


def _closed(alliance_id: str, period_key: str, run: Run, s: StoredStatement) -> Statement:
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
