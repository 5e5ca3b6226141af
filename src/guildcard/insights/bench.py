"""``guildcard bench insights``: a city's synthetic history on PostgreSQL, and how long each figure takes.

It creates a throw-away database, migrates it, and loads with COPY (not through the services: the
point is the read side) an alliance of 40 merchants, ``members`` members registered over a year and
``purchases`` purchases spread over 365 days (each member favours a few merchants). Then it times:
the first build of the rollups (every day), one more day of sales refreshed incrementally, and each
dashboard query (metrics of a month with six months of trend, cohorts, who brings whom, RFM and
the value grid, recommendations' co-visitation) and the CLV fit; then the trend, cohorts and RFM
once more by the old path (Python over every rollup row) in the same run, with the ratios. It
prints figures and asserts nothing; the database is dropped at the end.
"""

from __future__ import annotations

import io
import json
import os
import random
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import psycopg
from sqlalchemy import Connection, create_engine, make_url, text

from guildcard.bootstrap import bootstrap
from guildcard.db import schema
from guildcard.db.engine import Database
from guildcard.insights import clv
from guildcard.insights.domain.clv_data import TimeUnit
from guildcard.insights.domain.recommend import affinities
from guildcard.insights.domain.windows import Grain, Window, window_of
from guildcard.insights.queries import acquisition, recommendations
from guildcard.insights.queries import members as member_queries
from guildcard.insights.queries import metrics as metric_queries
from guildcard.kernel.actors import system_actor
from guildcard.kernel.clock import FixedClock, start_of_business_day
from guildcard.settings import Settings

ALLIANCE = "all_BENCHINSIGHTS0000000000000"
MERCHANTS = 40
TRADES = ("dining", "cinema", "beauty", "fitness", "retail", "kids", "books", "coffee")
FIRST_DAY = date(2025, 12, 1)
DAYS = 365


def _admin(url: str, sql: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(sql))
    engine.dispose()


def _copy(conn: psycopg.Connection[Any], table: str, columns: list[str], rows: list[list[Any]]) -> None:
    with conn.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _at(day: date, rng: random.Random) -> datetime:
    return start_of_business_day(day) + timedelta(hours=10 + rng.random() * 11)


def _load(
    url: str, members: int, purchases: int, *, seed: int = 16
) -> tuple[list[tuple[str, str, str, datetime]], int]:
    """Everything but the last day's purchases; those are returned to be added later."""
    rng = random.Random(seed)
    now = datetime(2025, 11, 30, tzinfo=UTC)
    merchants = [f"mer_BENCH{n:021d}" for n in range(MERCHANTS)]
    stores = {m: f"sto_BENCH{n:021d}" for n, m in enumerate(merchants)}
    member_ids = [f"mem_BENCH{n:021d}" for n in range(members)]
    with psycopg.connect(url) as conn:
        conn.execute(
            "INSERT INTO alliances (id, code, name, city, time_zone, contract_limits, created_at) "
            "VALUES (%s, 'bench-insights', '基准联盟', '上海', 'Asia/Shanghai', '{}', %s)",
            (ALLIANCE, now),
        )
        _copy(
            conn,
            "alliance_merchants",
            [
                "alliance_id",
                "id",
                "name",
                "category",
                "credit_code",
                "legal_representative",
                "contact_phone_enc",
                "contact_phone_hash",
                "status",
                "created_at",
            ],
            [
                [
                    ALLIANCE,
                    m,
                    f"商家{n}",
                    TRADES[n % len(TRADES)],
                    f"CC{n:016d}",
                    "王",
                    "x",
                    f"h{n}",
                    "active",
                    now,
                ]
                for n, m in enumerate(merchants)
            ],
        )
        registered = {m: FIRST_DAY + timedelta(days=rng.randrange(DAYS)) for m in member_ids}
        _copy(
            conn,
            "members",
            ["alliance_id", "member_id", "number", "status", "pseudonym", "registered_at", "updated_at"],
            [
                [ALLIANCE, m, n + 1, "active", f"p{n}", _at(registered[m], rng), now]
                for n, m in enumerate(member_ids)
            ],
        )
        favourites = {m: rng.sample(merchants, 3) for m in member_ids}
        rows, last_day = [], []
        end = FIRST_DAY + timedelta(days=DAYS)
        for n in range(purchases):
            member = member_ids[int(rng.paretovariate(1.2)) % members] if n % 3 else rng.choice(member_ids)
            merchant = rng.choice(favourites[member]) if rng.random() < 0.8 else rng.choice(merchants)
            start = registered[member]
            day = start + timedelta(days=rng.randrange(max((end - start).days, 1)))
            at, amount = _at(day, rng), rng.randint(2_000, 60_000)
            pid = f"pur_BENCH{n:021d}"
            if day == end - timedelta(days=1):
                last_day.append((pid, member, merchant, at))
            rows.append(
                [
                    ALLIANCE,
                    pid,
                    merchant,
                    stores[merchant],
                    f"O{n}",
                    member,
                    "counter",
                    "committed",
                    amount,
                    0,
                    amount,
                    0,
                    0,
                    amount,
                    amount // 100,
                    amount // 100,
                    0,
                    "f",
                    "{}",
                    at,
                    at,
                    "bench",
                ]
            )
        _copy(
            conn,
            "counter_purchases",
            [
                "alliance_id",
                "purchase_id",
                "merchant_id",
                "store_id",
                "order_no",
                "member_id",
                "source",
                "status",
                "bill_fen",
                "discount_fen",
                "payable_fen",
                "points_used",
                "points_value_fen",
                "cash_fen",
                "points_earned",
                "growth",
                "refunded_fen",
                "fingerprint",
                "receipt",
                "occurred_at",
                "recorded_at",
                "actor_id",
            ],
            rows,
        )
        conn.commit()
    return last_day, len(rows)


def _events(url: str, purchases: list[tuple[str, str, str, datetime]]) -> None:
    with psycopg.connect(url) as conn:
        _copy(
            conn,
            "outbox_events",
            ["alliance_id", "id", "name", "subject", "payload", "occurred_at"],
            [
                [
                    ALLIANCE,
                    f"evt_{n:026d}",
                    "counter.purchase_recorded",
                    pid,
                    json.dumps({"member_id": member, "merchant_id": merchant, "occurred_at": at.isoformat()}),
                    at,
                ]
                for n, (pid, member, merchant, at) in enumerate(purchases)
            ],
        )
        conn.commit()


def _timed(figures: dict[str, Any], key: str, call: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    found = call()
    figures[key] = round(time.perf_counter() - started, 3)
    return found


def run(
    *, admin_url: str, members: int, purchases: int, fit_clv: bool = True, baseline: bool = True
) -> dict[str, Any]:
    db = f"gc_bench_insights_{os.getpid()}_{int(time.time())}"
    url = (
        make_url(admin_url)
        .set(drivername="postgresql+psycopg", database=db)
        .render_as_string(hide_password=False)
    )
    raw = make_url(admin_url).set(database=db).render_as_string(hide_password=False)
    figures: dict[str, Any] = {"members": members, "purchases": purchases, "backend": "postgresql"}
    _admin(admin_url, f'CREATE DATABASE "{db}"')
    try:
        last = FIRST_DAY + timedelta(days=DAYS - 1)
        clock = FixedClock(start_of_business_day(last + timedelta(days=2)))
        container = bootstrap(Settings(env="development", database_url=url), clock=clock)
        try:
            schema.upgrade(container.database.engine)
            last_day, loaded = _timed(figures, "seconds_loading", lambda: _load(raw, members, purchases))
            figures["purchases_on_last_day"] = len(last_day)
            ops, insights = system_actor(ALLIANCE, "bench"), container.insights
            history = [FIRST_DAY + timedelta(days=i) for i in range(DAYS)]
            _timed(figures, "seconds_first_build", lambda: insights.refresh(ops, days=history))
            _events(raw, last_day)
            done = _timed(figures, "seconds_refresh_one_day", lambda: insights.refresh(ops))
            figures["days_refreshed"] = len(done.days)
            month = window_of(last, Grain.MONTH).previous()
            _timed(figures, "seconds_metrics_6_months", lambda: insights.series(ops, month, count=6))
            _timed(figures, "seconds_cohorts", lambda: insights.cohorts(ops, last_day=last, months=12))
            _timed(figures, "seconds_flows_month", lambda: insights.flows(ops, month))
            _timed(figures, "seconds_rfm_value_grid", lambda: insights.population(ops))
            _timed(figures, "seconds_rfm_value_grid_counts", lambda: insights.summary(ops))
            _timed(figures, "seconds_co_visitation", lambda: insights.top_pairs(ops))
            if baseline:
                _baseline(figures, container.database, month, last)
            if fit_clv and clv.available():
                as_of = last + timedelta(days=1)
                _, fitted = _timed(
                    figures,
                    "seconds_clv_fit",
                    lambda: insights.clv(ops, as_of=as_of, unit=TimeUnit.WEEK, per_member=False),
                )
                figures["clv_customers"] = fitted.customers
                figures["clv_params"] = {k: round(v, 4) for k, v in fitted.params.items()}
            figures["purchases_loaded"] = loaded
        finally:
            container.close()
    finally:
        _admin(admin_url, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    return figures


# the figure of the new path -> the figure of the old one (Python over every daily rollup row)
DASHBOARDS = {
    "seconds_metrics_6_months": "seconds_metrics_6_months_rows",
    "seconds_cohorts": "seconds_cohorts_rows",
    "seconds_rfm_value_grid": "seconds_rfm_value_grid_rows",  # every member's cell, from month rows
    "seconds_rfm_value_grid_counts": "seconds_rfm_value_grid_rows",  # the page's counts, all in SQL
    "seconds_co_visitation": "seconds_co_visitation_rows",
}


def _baseline(figures: dict[str, Any], database: Database, month: Window, last: date) -> None:
    """The same dashboards by the old path (Python over every rollup row), and old/new ratios."""
    with database.read() as conn:
        _timed(
            figures,
            "seconds_metrics_6_months_rows",
            lambda: metric_queries.series_from_rows(conn, ALLIANCE, month, count=6),
        )
        _timed(
            figures,
            "seconds_cohorts_rows",
            lambda: acquisition.cohorts_from_rows(conn, ALLIANCE, last_day=last, months=12),
        )
        _timed(
            figures,
            "seconds_rfm_value_grid_rows",
            lambda: member_queries.population(conn, ALLIANCE, from_rows=True),
        )
        _timed(figures, "seconds_co_visitation_rows", lambda: _co_visitation_from_rows(conn, last))
    figures["speedup_old_over_new"] = {
        key.removeprefix("seconds_"): round(figures[old] / max(figures[key], 1e-3), 1)
        for key, old in DASHBOARDS.items()
    }


def _co_visitation_from_rows(conn: Connection, last: date) -> dict[str, dict[str, float]]:
    """The old co-visitation: every member's merchants of the year from the daily rows, in Python."""
    return affinities(recommendations.member_visits(conn, ALLIANCE, last + timedelta(days=1)))


def report_lines(figures: dict[str, Any]) -> list[str]:
    out = io.StringIO()
    for k, v in figures.items():
        out.write(f"{k}: {v}\n")
    return out.getvalue().splitlines()
