"""Automation's ports on the other contexts: marketing consent (members) and who a schedule
trigger reaches now (birthdays from members, quiet spells from the counter, expiring points
from the ledger), each through that context's queries."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from guildcard.automation.handlers.base import Occurrence, ScheduleSource
from guildcard.counter import queries as counter_queries
from guildcard.kernel.clock import business_date
from guildcard.ledger.queries.accounts import expiring_by_member
from guildcard.members import queries as member_queries
from guildcard.pipeline import Work
from guildcard.privacy.cipher import LookupHasher


def marketing_consent(work: Work, members: set[str]) -> set[str]:
    return member_queries.consenting(work.connection, work.alliance_id, "marketing") & members


def schedule_source(lookup: LookupHasher) -> ScheduleSource:
    """The members each schedule trigger reaches at ``now``, with the occurrence that makes it
    happen once: this year's birthday, this quiet spell (its last purchase's day), this expiry
    (its first day), this date."""

    def occurrences(
        conn: Connection, alliance_id: str, trigger: str, params: Mapping[str, Any], now: datetime
    ) -> list[Occurrence]:
        today = business_date(now)
        if trigger == "birthday":
            born = member_queries.born_on(conn, alliance_id, lookup, today)
            return [Occurrence(m, f"birthday:{today.year}") for m in sorted(born)]
        if trigger == "quiet":
            quiet = counter_queries.last_purchases(
                conn, alliance_id, before=now - timedelta(days=params["days"])
            )
            alive = member_queries.living(conn, alliance_id, set(quiet))
            return [_quiet(m, business_date(quiet[m]), today) for m in sorted(alive)]
        if trigger == "points_expiring":
            soon = expiring_by_member(conn, alliance_id, now=now, until=now + timedelta(days=params["days"]))
            alive = member_queries.living(conn, alliance_id, set(soon))
            return [_expiring(m, *soon[m], today) for m in sorted(alive)]
        if trigger == "on_date" and params.get("on") == today.isoformat():
            return [
                Occurrence(m, f"date:{today.isoformat()}")
                for m in sorted(member_queries.living(conn, alliance_id))
            ]
        return []

    return occurrences


def _quiet(member_id: str, last: date, today: date) -> Occurrence:
    return Occurrence(member_id, f"quiet:{last.isoformat()}", {"days_quiet": float((today - last).days)})


def _expiring(member_id: str, points: int, first: datetime, today: date) -> Occurrence:
    day = business_date(first)
    facts = {
        "points_expiring": float(points),
        "days_left": float((day - today).days),
        "expires_on": day.isoformat(),
    }
    return Occurrence(member_id, f"expiring:{day.isoformat()}", facts)
