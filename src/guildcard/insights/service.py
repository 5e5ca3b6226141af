"""``InsightsService``: what entry points call (CLI, pages, API). Writes go through the bus."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from guildcard.db.engine import Database
from guildcard.insights import access
from guildcard.insights.domain.facts import DailyTotal
from guildcard.insights.domain.metrics import MetricSet
from guildcard.insights.domain.windows import Window
from guildcard.insights.handlers.refresh import Refreshed, RefreshRollups
from guildcard.insights.handlers.totals import ReportDailyTotal
from guildcard.insights.queries import acquisition
from guildcard.insights.queries import metrics as metric_queries
from guildcard.insights.queries.scope import Scope, ScopeKind
from guildcard.kernel.actors import Actor
from guildcard.pipeline import CommandBus


@dataclass
class InsightsService:
    database: Database
    bus: CommandBus

    def refresh(self, actor: Actor, *, days: Sequence[date] = ()) -> Refreshed:
        """Bring the rollups up to date with every sale recorded so far (safe to re-run)."""
        refreshed: Refreshed = self.bus.execute(actor, RefreshRollups(days=tuple(days))).value
        return refreshed

    def report_daily_total(
        self, actor: Actor, *, store_id: str, day: date, orders: int, sales_fen: int, items: int | None = None
    ) -> DailyTotal:
        command = ReportDailyTotal(
            store_id=store_id, day=day, orders=orders, sales_fen=sales_fen, items=items
        )
        total: DailyTotal = self.bus.execute(actor, command).value
        return total

    def metrics(self, actor: Actor, window: Window, *, scope: Scope | None = None) -> MetricSet:
        return self.series(actor, window, count=1, scope=scope)[0]

    def series(
        self, actor: Actor, window: Window, *, count: int, scope: Scope | None = None
    ) -> list[MetricSet]:
        scope = scope or Scope()
        self._check(actor, scope)
        with self.database.read() as conn:
            return metric_queries.series(conn, actor.alliance_id, window, count=count, scope=scope)

    def cohorts(self, actor: Actor, *, last_day: date, months: int = 12) -> acquisition.Cohorts:
        access.require_operator(actor)
        with self.database.read() as conn:
            return acquisition.cohorts(conn, actor.alliance_id, last_day=last_day, months=months)

    def flows(self, actor: Actor, window: Window) -> acquisition.Flows:
        """Who brings whom in a window; a merchant's staff see the pairs it is part of (see pages)."""
        access.require_operator(actor)
        with self.database.read() as conn:
            return acquisition.member_flows(conn, actor.alliance_id, start=window.start, end=window.end)

    @staticmethod
    def _check(actor: Actor, scope: Scope) -> None:
        if scope.kind is ScopeKind.MERCHANT and scope.key:
            access.require_merchant(actor, scope.key)
        else:
            access.require_operator(actor)
