"""The members context's port, implemented with the alliance registry."""

from __future__ import annotations

from guildcard.alliance import queries as alliance_queries
from guildcard.db.engine import Database


class RegisteredAlliances:
    """Members' view of the alliance registry: only a real alliance id (not its code) counts."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def exists(self, alliance_id: str) -> bool:
        with self._database.read() as conn:
            alliance = alliance_queries.get_alliance(conn, alliance_id)
        return alliance is not None and alliance.id == alliance_id
