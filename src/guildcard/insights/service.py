"""``InsightsService``: what entry points call (CLI, pages, API). Writes go through the bus."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from guildcard.db.engine import Database
from guildcard.insights import access
from guildcard.insights.clv import ClvFit
from guildcard.insights.domain.clv_data import TimeUnit
from guildcard.insights.domain.errors import SegmentNotFound
from guildcard.insights.domain.facts import DailyTotal
from guildcard.insights.domain.metrics import MetricSet
from guildcard.insights.domain.recommend import Recommendation
from guildcard.insights.domain.windows import Window
from guildcard.insights.handlers.refresh import Refreshed, RefreshRollups
from guildcard.insights.handlers.segments import DefineTag, SaveSegment, TagMembers
from guildcard.insights.handlers.totals import ReportDailyTotal
from guildcard.insights.handlers.walk_ins import RecordWalkIn
from guildcard.insights.queries import acquisition, lifetime, recommendations
from guildcard.insights.queries import members as member_queries
from guildcard.insights.queries import metrics as metric_queries
from guildcard.insights.queries.members import Population
from guildcard.insights.queries.monthly import PopulationSummary
from guildcard.insights.queries.recommendations import LikelyMembers
from guildcard.insights.queries.scope import Scope, ScopeKind
from guildcard.insights.storage.sales import WalkIn
from guildcard.insights.storage.segments import StoredSegment, StoredTag, segment_by_id
from guildcard.kernel.actors import Actor, ActorKind
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

    def record_walk_in(
        self, actor: Actor, *, store_id: str, order_no: str, amount_fen: int, items: int | None = None,
        occurred_at: datetime | None = None,
    ) -> WalkIn:  # fmt: skip
        """A non-member purchase: no member, no points; counted in member sales share and conversion."""
        command = RecordWalkIn(
            store_id=store_id, order_no=order_no, amount_fen=amount_fen, items=items, occurred_at=occurred_at
        )
        sale: WalkIn = self.bus.execute(actor, command).value
        return sale

    def metrics(self, actor: Actor, window: Window, *, scope: Scope | None = None) -> MetricSet:
        return self.series(actor, window, count=1, scope=scope)[0]

    def series(
        self, actor: Actor, window: Window, *, count: int, scope: Scope | None = None
    ) -> list[MetricSet]:
        scope = scope or Scope()
        self._check(actor, scope)
        with self.database.read() as conn:
            return metric_queries.series(conn, actor.alliance_id, window, count=count, scope=scope)

    def merchant_flows(self, actor: Actor, merchant_id: str, window: Window) -> acquisition.Flows:
        """The flows a merchant takes part in (its page shows others only in aggregates, see report.py)."""
        access.require_merchant(actor, merchant_id)
        with self.database.read() as conn:
            found = acquisition.member_flows(conn, actor.alliance_id, start=window.start, end=window.end)
        mine = [f for f in found.merchants if merchant_id in (f.source, f.target)]
        return acquisition.Flows(mine, [], {merchant_id: found.new_from_alliance.get(merchant_id, 0)})

    def cohorts(self, actor: Actor, *, last_day: date, months: int = 12) -> acquisition.Cohorts:
        access.require_operator(actor)
        with self.database.read() as conn:
            return acquisition.cohorts(conn, actor.alliance_id, last_day=last_day, months=months)

    def flows(self, actor: Actor, window: Window) -> acquisition.Flows:
        """Who brings whom in a window; a merchant's staff see the pairs it is part of (see pages)."""
        access.require_operator(actor)
        with self.database.read() as conn:
            return acquisition.member_flows(conn, actor.alliance_id, start=window.start, end=window.end)

    def define_tag(self, actor: Actor, *, name: str, rule: str | None = None) -> StoredTag:
        tag: StoredTag = self.bus.execute(actor, DefineTag(name=name, rule=rule)).value
        return tag

    def tag_members(
        self, actor: Actor, *, tag_id: str, member_ids: Sequence[str], remove: bool = False
    ) -> int:
        command = TagMembers(tag_id=tag_id, member_ids=tuple(member_ids), remove=remove)
        changed: int = self.bus.execute(actor, command).value
        return changed

    def save_segment(self, actor: Actor, *, name: str, definition: dict[str, object]) -> StoredSegment:
        segment: StoredSegment = self.bus.execute(actor, SaveSegment(name=name, definition=definition)).value
        return segment

    def population(
        self, actor: Actor, *, as_of: date | None = None, merchant_id: str | None = None
    ) -> Population:
        """Facts, RFM, tags and value cells of the alliance's customers (or one merchant's)."""
        self._check_merchant(actor, merchant_id)
        with self.database.read() as conn:
            return member_queries.population(conn, actor.alliance_id, as_of=as_of, merchant_id=merchant_id)

    def summary(
        self, actor: Actor, *, as_of: date | None = None, merchant_id: str | None = None
    ) -> PopulationSummary:
        """The population's counts (funnel, RFM segments and grid, value grid) computed in SQL."""
        self._check_merchant(actor, merchant_id)
        with self.database.read() as conn:
            return member_queries.summary(conn, actor.alliance_id, as_of=as_of, merchant_id=merchant_id)

    def segments(self, actor: Actor, *, as_of: date | None = None) -> list[member_queries.SegmentCount]:
        access.require_operator(actor)
        with self.database.read() as conn:
            return member_queries.segment_counts(conn, actor.alliance_id, as_of=as_of)

    def members_in_segment(self, actor: Actor, segment_id: str, *, as_of: date | None = None) -> list[str]:
        access.require_operator(actor)
        with self.database.read() as conn:
            segment = segment_by_id(conn, segment_id)
            if segment is None or segment.alliance_id != actor.alliance_id:
                raise SegmentNotFound(segment_id=segment_id)
            return member_queries.members_in_segment(conn, segment_id, as_of=as_of)

    def clv(
        self, actor: Actor, *, as_of: date | None = None, unit: TimeUnit = TimeUnit.DAY,
        merchant_id: str | None = None, per_member: bool = True,
    ) -> tuple[date, ClvFit]:  # fmt: skip
        """BG/NBD + Gamma-Gamma by maximum likelihood on the alliance's (or one merchant's) customers."""
        self._check_merchant(actor, merchant_id)
        with self.database.read() as conn:
            return lifetime.lifetime_value(
                conn,
                actor.alliance_id,
                as_of=as_of,
                unit=unit,
                merchant_id=merchant_id,
                per_member=per_member,
            )

    def holdout(
        self, actor: Actor, *, as_of: date, days: int, unit: TimeUnit = TimeUnit.DAY
    ) -> lifetime.Holdout:
        access.require_operator(actor)
        with self.database.read() as conn:
            return lifetime.holdout_check(conn, actor.alliance_id, as_of=as_of, days=days, unit=unit)

    def recommendations(self, actor: Actor, member_id: str, *, limit: int = 3) -> list[Recommendation]:
        """Merchants the member has not visited, with the reason (operators, and the member themself)."""
        if not (actor.kind is ActorKind.MEMBER and actor.id == member_id):
            access.require_operator(actor)
        with self.database.read() as conn:
            return recommendations.for_member(conn, actor.alliance_id, member_id, limit=limit)

    def likely_members(self, actor: Actor, merchant_id: str) -> LikelyMembers:
        access.require_merchant(actor, merchant_id)
        with self.database.read() as conn:
            return recommendations.for_merchant(conn, actor.alliance_id, merchant_id)

    def top_pairs(self, actor: Actor) -> list[tuple[str, str, float, int]]:
        access.require_operator(actor)
        with self.database.read() as conn:
            return recommendations.top_pairs(conn, actor.alliance_id)

    @staticmethod
    def _check_merchant(actor: Actor, merchant_id: str | None) -> None:
        """One merchant's figures: its owner or manager (or an operator); else an operator's."""
        if merchant_id:
            access.require_merchant(actor, merchant_id)
        else:
            access.require_operator(actor)

    @staticmethod
    def _check(actor: Actor, scope: Scope) -> None:
        if scope.kind is ScopeKind.MERCHANT and scope.key:
            access.require_merchant(actor, scope.key)
        else:
            access.require_operator(actor)
