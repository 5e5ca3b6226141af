"""Closed runs, statements and their lines; settled sales and charged entry fees; settings and limits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from guildcard.settlement.domain.periods import Period, PeriodKind
from guildcard.settlement.domain.statement import FIGURE_NAMES, Component, Figures, Line
from guildcard.settlement.domain.terms import BreakageMode, LimitMode
from guildcard.settlement.storage import tables as t


@dataclass(frozen=True)
class Run:
    period_key: str
    close_seq: int
    checkpoint_seq: int
    checkpoint_root: str
    breakage_mode: BreakageMode
    closed_at: datetime
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class StoredStatement:
    merchant_id: str
    merchant_name: str
    figures: Figures
    lines: tuple[Line, ...]
    ledger_entry_id: str | None


@dataclass(frozen=True)
class Limit:
    merchant_id: str
    period_kind: PeriodKind
    limit_points: int
    mode: LimitMode


def _insert(conn: Connection) -> Any:
    return pg_insert if conn.dialect.name == "postgresql" else sqlite_insert


class SettlementRepository:
    def __init__(self, conn: Connection, alliance_id: str) -> None:
        self.conn = conn
        self.alliance_id = alliance_id

    # --- runs ---------------------------------------------------------------------------------

    def run(self, period_key: str) -> Run | None:
        row = self.conn.execute(
            select(t.runs).where(t.runs.c.alliance_id == self.alliance_id, t.runs.c.period_key == period_key)
        ).first()
        return None if row is None else _run(row)

    def next_close_seq(self) -> int:
        value = self.conn.execute(
            select(func.coalesce(func.max(t.runs.c.close_seq), 0)).where(
                t.runs.c.alliance_id == self.alliance_id
            )
        ).scalar_one()
        return int(value) + 1

    def add_run(self, period: Period, run: Run) -> bool:
        """Insert the closed run; False when the period was closed meanwhile."""
        stmt = _insert(self.conn)(t.runs).on_conflict_do_nothing()
        inserted = self.conn.execute(
            stmt.values(
                alliance_id=self.alliance_id,
                period_key=period.key,
                period_kind=period.kind.value,
                starts_at=period.starts_at,
                ends_at=period.ends_at,
                close_seq=run.close_seq,
                checkpoint_seq=run.checkpoint_seq,
                checkpoint_root=run.checkpoint_root,
                breakage_mode=run.breakage_mode.value,
                closed_at=run.closed_at,
            ).returning(t.runs.c.period_key)
        ).first()
        return inserted is not None

    def closed_runs(self) -> list[Run]:
        rows = self.conn.execute(
            select(t.runs).where(t.runs.c.alliance_id == self.alliance_id).order_by(t.runs.c.close_seq)
        )
        return [_run(r) for r in rows]

    # --- statements ---------------------------------------------------------------------------

    def add_statement(self, period_key: str, statement: StoredStatement, closed_at: datetime) -> None:
        figures = {name: getattr(statement.figures, name) for name in FIGURE_NAMES}
        self.conn.execute(
            t.statements.insert().values(
                alliance_id=self.alliance_id,
                period_key=period_key,
                merchant_id=statement.merchant_id,
                merchant_name=statement.merchant_name,
                ledger_entry_id=statement.ledger_entry_id,
                closed_at=closed_at,
                **figures,
            )
        )
        if statement.lines:
            self.conn.execute(
                t.lines.insert(),
                [
                    {
                        "alliance_id": self.alliance_id,
                        "period_key": period_key,
                        "merchant_id": statement.merchant_id,
                        "line_no": n,
                        "component": ln.component.value,
                        "terms_version": ln.terms_version,
                        "corrects": ln.corrects,
                        "quantity": ln.quantity,
                        "unit_price": str(ln.unit_price),
                        "amount": ln.amount,
                        "in_net": ln.in_net,
                        "kind": ln.kind,
                    }
                    for n, ln in enumerate(statement.lines, start=1)
                ],
            )

    def statements(self, period_key: str, merchant_id: str | None = None) -> list[StoredStatement]:
        where = [t.statements.c.alliance_id == self.alliance_id, t.statements.c.period_key == period_key]
        line_where = [t.lines.c.alliance_id == self.alliance_id, t.lines.c.period_key == period_key]
        if merchant_id is not None:
            where.append(t.statements.c.merchant_id == merchant_id)
            line_where.append(t.lines.c.merchant_id == merchant_id)
        by_merchant: dict[str, list[Line]] = {}
        for r in self.conn.execute(
            select(t.lines).where(*line_where).order_by(t.lines.c.merchant_id, t.lines.c.line_no)
        ):
            by_merchant.setdefault(r.merchant_id, []).append(
                Line(
                    Component(r.component),
                    r.terms_version,
                    r.corrects,
                    int(r.quantity),
                    Decimal(r.unit_price),
                    int(r.amount),
                    bool(r.in_net),
                    r.kind or "",
                )
            )
        return [
            StoredStatement(
                r.merchant_id,
                r.merchant_name,
                Figures(**{name: int(getattr(r, name)) for name in FIGURE_NAMES}),
                tuple(by_merchant.get(r.merchant_id, ())),
                r.ledger_entry_id,
            )
            for r in self.conn.execute(
                select(t.statements).where(*where).order_by(t.statements.c.merchant_id)
            )
        ]

    # --- sales and entry fees -----------------------------------------------------------------

    def settled_sale_ids(self, ids: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(ids), 500):
            found.update(
                self.conn.execute(
                    select(t.sales.c.sale_id).where(
                        t.sales.c.alliance_id == self.alliance_id,
                        t.sales.c.sale_id.in_(ids[start : start + 500]),
                    )
                ).scalars()
            )
        return found

    def sales_of(self, period_key: str, merchant_id: str) -> list[tuple[str, int]]:
        rows = self.conn.execute(
            select(t.sales.c.sale_id, t.sales.c.amount)
            .where(
                t.sales.c.alliance_id == self.alliance_id,
                t.sales.c.period_key == period_key,
                t.sales.c.merchant_id == merchant_id,
            )
            .order_by(t.sales.c.sale_id)
        )
        return [(r[0], int(r[1])) for r in rows]

    def add_sales(self, period_key: str, sales: list[tuple[str, str, int]]) -> None:
        if sales:
            self.conn.execute(
                t.sales.insert(),
                [
                    {
                        "alliance_id": self.alliance_id,
                        "sale_id": sale_id,
                        "period_key": period_key,
                        "merchant_id": merchant_id,
                        "amount": amount,
                    }
                    for sale_id, merchant_id, amount in sales
                ],
            )

    def charged_entry_fees(self) -> set[tuple[str, str]]:
        rows = self.conn.execute(
            select(t.entry_fees.c.merchant_id, t.entry_fees.c.terms_version).where(
                t.entry_fees.c.alliance_id == self.alliance_id
            )
        )
        return {(r[0], r[1]) for r in rows}

    def add_entry_fees(self, period_key: str, charged: list[tuple[str, str]]) -> None:
        if charged:
            self.conn.execute(
                t.entry_fees.insert(),
                [
                    {
                        "alliance_id": self.alliance_id,
                        "merchant_id": m,
                        "terms_version": v,
                        "period_key": period_key,
                    }
                    for m, v in charged
                ],
            )

    # --- settings and limits ------------------------------------------------------------------

    def breakage_mode(self) -> BreakageMode:
        value = self.conn.execute(
            select(t.settings.c.breakage_mode).where(t.settings.c.alliance_id == self.alliance_id)
        ).scalar_one_or_none()
        return BreakageMode(value) if value else BreakageMode.PLATFORM

    def set_breakage_mode(self, mode: BreakageMode, now: datetime) -> None:
        stmt = _insert(self.conn)(t.settings).values(
            alliance_id=self.alliance_id, breakage_mode=mode.value, updated_at=now
        )
        self.conn.execute(
            stmt.on_conflict_do_update(
                index_elements=["alliance_id"], set_={"breakage_mode": mode.value, "updated_at": now}
            )
        )

    def set_limit(self, limit: Limit, now: datetime) -> None:
        values = {
            "period_kind": limit.period_kind.value,
            "limit_points": limit.limit_points,
            "mode": limit.mode.value,
            "updated_at": now,
        }
        stmt = _insert(self.conn)(t.limits).values(
            alliance_id=self.alliance_id, merchant_id=limit.merchant_id, **values
        )
        self.conn.execute(
            stmt.on_conflict_do_update(index_elements=["alliance_id", "merchant_id"], set_=values)
        )

    def limit(self, merchant_id: str, *, lock: bool = False) -> Limit | None:
        stmt = select(t.limits).where(
            t.limits.c.alliance_id == self.alliance_id, t.limits.c.merchant_id == merchant_id
        )
        if lock and self.conn.dialect.name == "postgresql":
            stmt = stmt.with_for_update()
        row = self.conn.execute(stmt).first()
        return None if row is None else _limit(row)

    def limits(self) -> list[Limit]:
        rows = self.conn.execute(
            select(t.limits)
            .where(t.limits.c.alliance_id == self.alliance_id)
            .order_by(t.limits.c.merchant_id)
        )
        return [_limit(r) for r in rows]


def _run(row: Any) -> Run:
    return Run(
        row.period_key,
        int(row.close_seq),
        int(row.checkpoint_seq),
        row.checkpoint_root,
        BreakageMode(row.breakage_mode),
        row.closed_at,
        row.starts_at,
        row.ends_at,
    )


def _limit(row: Any) -> Limit:
    return Limit(row.merchant_id, PeriodKind(row.period_kind), int(row.limit_points), LimitMode(row.mode))
