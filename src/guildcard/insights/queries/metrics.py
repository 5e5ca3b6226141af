"""Seed 003's metrics of a period and scope, from the rollups (``guildcard insights metrics``, pages, API)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from sqlalchemy import Connection

from guildcard.insights.domain.definitions import DEFINITIONS
from guildcard.insights.domain.facts import StoreDay
from guildcard.insights.domain.metrics import MetricSet, metric_set
from guildcard.insights.domain.windows import Window, trailing
from guildcard.insights.queries import grouped
from guildcard.insights.queries.scope import Scope, ScopeKind
from guildcard.insights.storage.rollups import RollupRepository
from guildcard.kernel.clock import business_date, start_of_business_day
from guildcard.members import queries as member_queries


def metrics(
    conn: Connection,
    alliance_id: str,
    window: Window,
    *,
    scope: Scope | None = None,
    activation_days: int = 30,
) -> MetricSet:
    """Every metric of one window (its rows and the previous window's, for churn)."""
    scope = scope or Scope()
    return series(conn, alliance_id, window, count=1, scope=scope, activation_days=activation_days)[0]


def series(
    conn: Connection, alliance_id: str, last: Window, *, count: int, scope: Scope | None = None,
    activation_days: int = 30,
) -> list[MetricSet]:  # fmt: skip
    """``count`` windows ending with ``last`` (a trend), each figure a SQL ``GROUP BY`` per window."""
    scope = scope or Scope()
    windows = trailing(last, count)
    start, end = windows[0].previous().start, windows[-1].end
    merchants = scope.merchants(conn, alliance_id)
    registered, first = _acquired(conn, alliance_id, scope, merchants, start=start, end=end)
    return grouped.metric_sets(
        conn, alliance_id, [windows[0].previous(), *windows], registered=registered, first_purchase=first,
        merchant_ids=merchants, store_id=scope.store_id, activation_days=activation_days,
    )  # fmt: skip


def _acquired(
    conn: Connection,
    alliance_id: str,
    scope: Scope,
    merchants: frozenset[str] | None,
    *,
    start: date,
    end: date,
) -> tuple[dict[str, date], dict[str, date]]:
    """As ``_acquisition`` below, reading first purchases by day range instead of all of them."""
    if scope.kind is ScopeKind.ALLIANCE:
        registered = {
            m: business_date(at)
            for m, at in member_queries.registrations(
                conn, alliance_id, since=start_of_business_day(start), until=start_of_business_day(end)
            ).items()
        }
        recent = grouped.first_purchase_days(conn, alliance_id, since=start)
        first = {m: recent[m][0] for m in registered if m in recent}
        # a first purchase before the range (history imported before registering): ask by member
        earlier = RollupRepository(conn, alliance_id).first_purchases(
            [m for m in registered if m not in recent]
        )
        first.update({m: f.day for m, f in earlier.items()})
        return registered, first
    firsts = grouped.first_purchase_days(conn, alliance_id, since=start, until=end)
    acquired = {
        m: day
        for m, (day, merchant, store) in firsts.items()
        if (merchants is None or merchant in merchants) and scope.store_id in (None, store)
    }
    return acquired, acquired


def series_from_rows(
    conn: Connection, alliance_id: str, last: Window, *, count: int, scope: Scope | None = None,
    activation_days: int = 30,
) -> list[MetricSet]:  # fmt: skip
    """The same figures computed in Python over every rollup row of the range (the old path: the
    definitions' reference, and the benchmark's baseline)."""
    scope = scope or Scope()
    windows = trailing(last, count)
    start, end = windows[0].previous().start, windows[-1].end
    repo = RollupRepository(conn, alliance_id)
    merchants = scope.merchants(conn, alliance_id)
    rows = repo.member_days(start, end, merchant_ids=merchants, store_id=scope.store_id)
    stores = repo.store_days(start, end, merchant_ids=merchants, store_id=scope.store_id)
    registered, first = _acquisition(conn, alliance_id, repo, scope, start=start, end=end)
    return [
        metric_set(
            w, rows, stores, registered=registered, first_purchase=first, activation_days=activation_days
        )
        for w in windows
    ]


def _acquisition(
    conn: Connection, alliance_id: str, repo: RollupRepository, scope: Scope, *, start: date, end: date
) -> tuple[dict[str, date], dict[str, date]]:
    """Alliance-wide: registrations and first purchases. Narrower: a member is new where they first bought."""
    if scope.kind is ScopeKind.ALLIANCE:
        registered = {
            m: business_date(at)
            for m, at in member_queries.registrations(
                conn, alliance_id, since=start_of_business_day(start), until=start_of_business_day(end)
            ).items()
        }
        firsts = repo.first_purchases(registered)
        return registered, {m: f.day for m, f in firsts.items()}
    merchants = scope.merchants(conn, alliance_id)
    acquired = {
        m: f.day
        for m, f in repo.first_purchases().items()
        if start <= f.day < end and (merchants is None or f.merchant_id in merchants)
        and (scope.store_id is None or f.store_id == scope.store_id)
    }  # fmt: skip
    return acquired, acquired


ISSUE_KEYS = (
    "activation_rate", "churn_rate", "member_sales_share", "repurchase_rate", "average_order_value_fen",
    "items_per_order", "conversion_rate",
)  # fmt: skip


def as_json(m: MetricSet, *, scope: Scope | None = None) -> dict[str, Any]:
    """The API's and the CLI's shape: seed 003's keys first, then counts and the definitions."""
    values = asdict(m)
    out: dict[str, Any] = {"period": m.period, "scope": (scope or Scope()).kind.value}
    out.update({k: _round(values[k]) for k in ISSUE_KEYS})
    out.update({k: _round(v) for k, v in values.items() if k not in out})
    out["definitions"] = {d.key: {"zh": d.zh, "en": d.en} for d in DEFINITIONS}
    return out


def _round(value: Any) -> Any:
    return round(value, 4) if isinstance(value, float) else value


def store_days(conn: Connection, alliance_id: str, *, start: date, end: date) -> list[StoreDay]:
    """The stores' daily rows in ``[start, end)`` (the demo reads them to post plausible daily totals)."""
    return RollupRepository(conn, alliance_id).store_days(start, end)
