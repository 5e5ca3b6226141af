"""Automation counts for dashboards and the demo: rule runs by outcome, messages by status."""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from guildcard.automation.storage.tables import automation_messages, automation_runs


def run_counts(conn: Connection, alliance_id: str) -> dict[str, int]:
    """Runs per outcome (sent, no_consent, capped, over_budget)."""
    c = automation_runs.c
    rows = conn.execute(
        select(c.outcome, func.count()).where(c.alliance_id == alliance_id).group_by(c.outcome)
    )
    return {outcome: int(n) for outcome, n in rows}


def message_counts(conn: Connection, alliance_id: str) -> dict[str, int]:
    """Messages per status (pending, sent, dead)."""
    c = automation_messages.c
    rows = conn.execute(select(c.status, func.count()).where(c.alliance_id == alliance_id).group_by(c.status))
    return {status: int(n) for status, n in rows}
