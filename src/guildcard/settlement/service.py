"""``SettlementService``: statements per period and merchant, close, drill-down, proofs, flows.

Reads open their own read transaction; closing a period is a command on the bus (``ClosePeriod``,
see handlers.py): one transaction that posts the settlement entries, stores the statements and
checkpoints them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from guildcard.db.engine import Database
from guildcard.kernel.actors import Actor
from guildcard.kernel.clock import Clock
from guildcard.ledger.checkpoints import inclusion_proof
from guildcard.ledger.domain.results import InclusionProof
from guildcard.ledger.keys import KeyStore
from guildcard.pipeline import CommandBus
from guildcard.settlement import access, scope
from guildcard.settlement.compute import SOURCES_OF, ledger_rows, unsettled_sales, with_corrections
from guildcard.settlement.domain.errors import EntryNotInStatement, StatementNotFound
from guildcard.settlement.domain.periods import Period, parse_period, period_containing
from guildcard.settlement.domain.statement import Component, figures_of
from guildcard.settlement.handlers import ClosePeriod, SettlementDeps, handlers
from guildcard.settlement.ports import MemberSalesSource, TermsProvider
from guildcard.settlement.statements import (
    CloseResult,
    Statement,
    closed_statements,
    priced_by_merchant,
)
from guildcard.settlement.storage import activity
from guildcard.settlement.storage.activity import Selection
from guildcard.settlement.storage.repository import Run, SettlementRepository

__all__ = ["CloseResult", "DrillItem", "SettlementService", "Statement"]


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
        bus: CommandBus | None = None,
    ) -> None:
        self.database, self.clock, self.terms, self.sales = database, clock, terms, sales
        if bus is None:  # standalone (tests, tools): its own bus, with what its handlers need
            bus = CommandBus(database, clock, [handlers])
            bus.provide("settlement", SettlementDeps(terms, sales, keys, clock))
        self.bus = bus

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
            return closed_statements(repo, period.key, run)
        mode = repo.breakage_mode()
        now = self.clock.now()
        earlier = scope.earliest_open_period(repo, period, self.sales, now) is not None
        computed, _ = priced_by_merchant(
            conn, alliance_id=alliance_id, period=period, selection=scope.selection(repo, period),
            breakage=mode, terms=self.terms, sales=self.sales, now=now, earlier_open=earlier,
        )  # fmt: skip
        return [
            Statement(alliance_id, period.key, m.id, m.name, "open", figures_of(lines), lines, mode)
            for m, lines in computed
        ]

    # --- closing ----------------------------------------------------------------------------------

    def close(self, actor: Actor, period_key: str) -> CloseResult:
        """Close the period for every merchant: once. Closing it again returns the first result."""
        result: CloseResult = self.bus.execute(actor, ClosePeriod(period_key=period_key)).value
        return result

    # --- drill-down, proofs, flows ------------------------------------------------------------

    def drill_down(
        self, actor: Actor, period_key: str, merchant_id: str, component: Component
    ) -> list[DrillItem]:
        """The entries (or sales, or contract version) behind one figure of a statement."""
        access.require_merchant(actor, merchant_id)
        with self.database.read() as conn:
            if merchant_id not in {m.id for m in self.terms.merchants(conn, actor.alliance_id)}:
                raise StatementNotFound(period=period_key)  # another alliance's merchant: not disclosed
            period = parse_period(period_key)
            repo = SettlementRepository(conn, actor.alliance_id)
            run = repo.run(period.key)
            sel = scope.selection(repo, period, run=run)
            if component is Component.COMMISSION:
                return self._sales_items(repo, period, run, merchant_id, sel)
            if component is Component.ENTRY_FEE:
                return self._fee_items(repo, period, run, merchant_id)
            rows = ledger_rows(conn, sel)
        wanted = SOURCES_OF[component]
        return [
            DrillItem(r.ref, "entry", r.occurred_at, r.quantity, r.corrects)
            for r in sorted(with_corrections(rows, period), key=lambda r: (r.occurred_at, r.ref))
            if r.merchant_id == merchant_id and r.source in wanted
        ]

    def _sales_items(
        self, repo: SettlementRepository, period: Period, run: Run | None, merchant_id: str, sel: Selection
    ) -> list[DrillItem]:
        if run is None:
            sales = [
                s
                for s in unsettled_sales(repo, self.sales, period, self.clock.now(), sel)
                if s.merchant_id == merchant_id
            ]
            return [
                DrillItem(
                    s.id,
                    "sale",
                    s.occurred_at,
                    s.amount,
                    None
                    if s.occurred_at >= period.starts_at
                    else period_containing(period.kind, s.occurred_at).key,
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
            repo = SettlementRepository(conn, actor.alliance_id)
            return activity.flows(conn, scope.selection(repo, period, run=repo.run(period.key)))
