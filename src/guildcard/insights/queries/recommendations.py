"""Recommendations for a member, and a merchant's likely members (sharing consent respected)."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Connection

from guildcard.alliance import queries as alliance_queries
from guildcard.insights.domain.recommend import (
    Recommendation,
    affinities,
    affinities_of_counts,
    likely_members,
    recommend,
)
from guildcard.insights.queries import monthly
from guildcard.insights.queries.members import default_as_of
from guildcard.insights.queries.scope import merchant_names
from guildcard.insights.storage.rollups import RollupRepository
from guildcard.members import queries as member_queries

WINDOW_DAYS = 365


def member_visits(conn: Connection, alliance_id: str, as_of: date) -> dict[str, set[str]]:
    rows = RollupRepository(conn, alliance_id).member_days(as_of - timedelta(days=WINDOW_DAYS), as_of)
    visits: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        if r.orders > 0:
            visits[r.member_id].add(r.merchant_id)
    return visits


def _km(conn: Connection, alliance_id: str, merchants: list[str]) -> dict[tuple[str, str], float]:
    where: dict[str, tuple[float, float]] = {}
    for m in merchants:
        stores = [s for s in alliance_queries.list_stores(conn, alliance_id, m) if s.closed_at is None]
        if stores:
            c = stores[0].coordinates
            where[m] = (float(c.latitude), float(c.longitude))
    out = {}
    for a, (la, lo) in where.items():
        for b, (lb, lob) in where.items():
            if a != b:
                dx = (lob - lo) * 111.32 * math.cos(math.radians((la + lb) / 2))
                out[(a, b)] = math.hypot(dx, (lb - la) * 110.57)
    return out


def _co_visits(
    conn: Connection, alliance_id: str, as_of: date
) -> tuple[dict[str, int], dict[str, dict[str, float]]]:
    """Customers per merchant and the affinities, counted in SQL over the member-month rows."""
    start = as_of - timedelta(days=WINDOW_DAYS)
    merchants = list(merchant_names(conn, alliance_id))
    customers, both = monthly.co_visits(conn, alliance_id, start=start, end=as_of, merchants=merchants)
    return customers, affinities_of_counts(customers, both)


def for_member(conn: Connection, alliance_id: str, member_id: str, *, limit: int = 3) -> list[Recommendation]:
    as_of = default_as_of(conn, alliance_id)
    _, affinity = _co_visits(conn, alliance_id, as_of)
    visited = monthly.visited_merchants(
        conn, alliance_id, member_id, start=as_of - timedelta(days=WINDOW_DAYS), end=as_of
    )
    info = merchant_names(conn, alliance_id)
    names = {m: n for m, (n, _) in info.items()}
    trades = {m: t for m, (_, t) in info.items()}
    return recommend(
        member_id, visited, affinity, names=names, trade_of=trades,
        km_between=_km(conn, alliance_id, list(info)), limit=limit,
    )  # fmt: skip


@dataclass(frozen=True)
class LikelyMembers:
    merchant_id: str
    members: list[tuple[str, float]]  # consenting members, most likely first
    without_consent: int  # likely members the merchant may not target (a count only)


def for_merchant(conn: Connection, alliance_id: str, merchant_id: str, *, limit: int = 100) -> LikelyMembers:
    as_of = default_as_of(conn, alliance_id)
    visits = member_visits(conn, alliance_id, as_of)
    aff = affinities(visits)
    sharing = member_queries.consenting(conn, alliance_id, "sharing")
    allowed = likely_members(merchant_id, visits, aff, allowed=sharing)
    everyone = likely_members(merchant_id, visits, aff, allowed=set(visits))
    return LikelyMembers(merchant_id, allowed[:limit], len(everyone) - len(allowed))


def top_pairs(conn: Connection, alliance_id: str, *, limit: int = 20) -> list[tuple[str, str, float, int]]:
    """The strongest co-visitation pairs: (A name, B name, share of A's customers at B, A's customers)."""
    customers, affinity = _co_visits(conn, alliance_id, default_as_of(conn, alliance_id))
    names = {m: n for m, (n, _) in merchant_names(conn, alliance_id).items()}
    pairs = [(a, b, share) for a, bs in affinity.items() for b, share in bs.items() if customers[a] >= 5]
    pairs.sort(key=lambda p: -p[2])
    return [(names.get(a, a), names.get(b, b), round(s, 3), customers[a]) for a, b, s in pairs[:limit]]
