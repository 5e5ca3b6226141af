"""The kernel's own tables."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, Index, String, Table

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

# Events written by the command bus in each command's transaction; consumers (automation,
# messages, webhooks) read them after commit in ``seq`` order and mark what they delivered.
outbox_events = Table(
    "outbox_events",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("id", String(40), primary_key=True),  # sortable: the order events were written in
    Column("name", String(64), nullable=False),
    Column("subject", String(64), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("published_at", UtcDateTime, nullable=True),
    Index("ix_outbox_events_unpublished", "alliance_id", "published_at", "id"),
)

# One version per alliance and topic of configuration read by commands (ledger settings,
# loyalty settings, contract terms, rules, campaigns). Every change bumps it in the same
# transaction; a process-wide cache serves a copy only while its version is current.
config_versions = Table(
    "config_versions",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("topic", String(32), primary_key=True),
    Column("version", BigInteger, nullable=False),
)
