"""The audit log table."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Index, String, Table

from guildcard.db.metadata import metadata
from guildcard.db.types import UtcDateTime

audit_log = Table(
    "audit_log",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("id", String(40), primary_key=True),
    Column("at", UtcDateTime, nullable=False),
    Column("actor_kind", String(16), nullable=False),
    Column("actor_id", String(40), nullable=False),
    Column("action", String(64), nullable=False),
    Column("object_type", String(32), nullable=False),
    Column("object_id", String(40), nullable=False),
    Column("merchant_id", String(40), nullable=True),
    Column("store_id", String(40), nullable=True),
    Column("request_id", String(64), nullable=True),
    Column("details", JSON, nullable=False),  # never personal data
    Index("ix_audit_log_object", "alliance_id", "object_type", "object_id"),
    Index("ix_audit_log_merchant", "alliance_id", "merchant_id", "at"),
    Index("ix_audit_log_at", "alliance_id", "at"),
)
