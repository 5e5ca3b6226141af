"""The operator dashboard's member count and daily trend, read through the members' and ledger's queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection

from guildcard.ledger.queries import metrics
from guildcard.ledger.queries.metrics import DayPoints
from guildcard.members import queries as members


@dataclass(frozen=True)
class Headline:
    members: int  # members who have not asked to be erased
    days: list[DayPoints]  # issued and redeemed per business day, the last 30 ending today


def headline(conn: Connection, alliance_id: str, *, today: date) -> Headline:
    """The member count and the daily trend (the month's totals are its statements' sums)."""
    return Headline(
        members.member_count(conn, alliance_id), metrics.daily_points(conn, alliance_id, last_day=today)
    )
