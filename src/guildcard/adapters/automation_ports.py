"""Automation's ``ConsentSource``: which members gave marketing consent, from the members' queries."""

from __future__ import annotations

from guildcard.members import queries as member_queries
from guildcard.pipeline import Work


def marketing_consent(work: Work, members: set[str]) -> set[str]:
    return member_queries.consenting(work.connection, work.alliance_id, "marketing") & members
