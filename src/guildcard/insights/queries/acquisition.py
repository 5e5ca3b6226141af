"""Cohorts and who brings whom (引流), read from the rollups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection

from guildcard.insights.domain import cohorts as c
from guildcard.insights.domain.flows import Flow, flows, new_from_alliance, trade_flows
from guildcard.insights.queries import grouped
from guildcard.insights.queries.scope import merchant_names
from guildcard.insights.storage.rollups import RollupRepository
from guildcard.kernel.clock import business_date, start_of_business_day
from guildcard.members import queries as member_queries


@dataclass(frozen=True)
class Cohorts:
    by_registration: list[c.Cohort]
    by_first_merchant: list[c.Cohort]


def cohorts(conn: Connection, alliance_id: str, *, last_day: date, months: int = 12) -> Cohorts:
    """Retention of members who registered (or first bought) in the ``months`` months up to ``last_day``.

    Each member's active months come from SQL as one bit mask per member (``grouped.active_months``).
    """
    last = c.month_index(last_day)
    first_month = last - months + 1
    start = date(first_month // 12, first_month % 12 + 1, 1)
    active = grouped.active_months(conn, alliance_id, first_month=first_month, last_day=last_day)
    registered = {
        m: business_date(at)
        for m, at in member_queries.registrations(
            conn, alliance_id, since=start_of_business_day(start)
        ).items()
    }
    firsts = {m: (day, merchant) for m, (day, merchant, _) in grouped.first_purchase_days(
        conn, alliance_id, since=start).items()}  # fmt: skip
    return Cohorts(
        c.by_registration_month(registered, active, last_month=last),
        c.by_first_merchant(firsts, active, last_month=last),
    )


def cohorts_from_rows(conn: Connection, alliance_id: str, *, last_day: date, months: int = 12) -> Cohorts:
    """The same from every member-day row in Python (the old path; the benchmark's baseline)."""
    last = c.month_index(last_day)
    first_month = last - months + 1
    start = date(first_month // 12, first_month % 12 + 1, 1)
    repo = RollupRepository(conn, alliance_id)
    rows = repo.member_days(start, date.fromordinal(last_day.toordinal() + 1))
    active = c.active_months((r.member_id, r.day) for r in rows)
    registered = {
        m: business_date(at)
        for m, at in member_queries.registrations(conn, alliance_id).items()
        if business_date(at) >= start
    }
    firsts = {m: (f.day, f.merchant_id) for m, f in repo.first_purchases().items() if f.day >= start}
    return Cohorts(
        c.by_registration_month(registered, active, last_month=last),
        c.by_first_merchant(firsts, active, last_month=last),
    )


@dataclass(frozen=True)
class Flows:
    merchants: list[Flow]
    trades: list[Flow]
    new_from_alliance: dict[str, int]  # merchant id -> members acquired elsewhere who came


def member_flows(conn: Connection, alliance_id: str, *, start: date, end: date) -> Flows:
    """Purchases in ``[start, end)`` by members acquired at another merchant (at any time before)."""
    repo = RollupRepository(conn, alliance_id)
    rows = repo.member_days(start, end)
    acquired = {
        m: (f.day, f.merchant_id) for m, f in repo.first_purchases({r.member_id for r in rows}).items()
    }
    trade_of = {m: trade for m, (_, trade) in merchant_names(conn, alliance_id).items()}
    pairs = flows(rows, acquired)
    return Flows(pairs, trade_flows(rows, acquired, trade_of), new_from_alliance(pairs))
