"""Token storage."""

from __future__ import annotations

from sqlalchemy import Column, String, Table

from guildcard.db.metadata import metadata
from guildcard.db.types import UtcDateTime

auth_tokens = Table(
    "auth_tokens",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("token_hash", String(64), primary_key=True),
    Column("actor_kind", String(16), nullable=False),
    Column("actor_id", String(40), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("last_used_at", UtcDateTime, nullable=True),
    Column("revoked_at", UtcDateTime, nullable=True),
)
