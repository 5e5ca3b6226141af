"""Headline figures for the operator dashboard, read through the members' and the ledger's queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection

from guildcard.ledger.queries import metrics
from guildcard.ledger.queries.metrics import DayPoints
from guildcard.members import queries as members


@dataclass(frozen=True)
class Headline:
    members: int  # members who have not asked to be erased
    issued: int  # points issued by entries that occurred in the period, net of reversals
    redeemed: int  # points redeemed likewise
    days: list[DayPoints]  # issued and redeemed per business day, the last 30 ending today


def headline(
    conn: Connection, alliance_id: str, *, since: datetime, until: datetime, today: date
) -> Headline:
    issued, redeemed = metrics.points_between(conn, alliance_id, since, until)
    return Headline(
        members.member_count(conn, alliance_id),
        issued,
        redeemed,
        metrics.daily_points(conn, alliance_id, last_day=today),
    )
