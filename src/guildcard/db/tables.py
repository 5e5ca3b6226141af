"""The kernel's own tables."""

from __future__ import annotations

from sqlalchemy import JSON, Column, String, Table

from guildcard.db.metadata import metadata
from guildcard.db.types import UtcDateTime

idempotency_records = Table(
    "idempotency_records",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("scope", String(64), primary_key=True),
    Column("key", String(128), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("response", JSON, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
)
