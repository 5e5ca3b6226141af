"""Check-in tables: the alliance's rules and one row per member and Shanghai day."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Column, Integer, String, Table

from guildcard.db.metadata import metadata
from guildcard.db.types import UtcDateTime

checkin_rules = Table(
    "rewards_checkin_rules",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("rules", JSON, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("updated_by", String(40), nullable=True),
)

# The primary key is the once-per-day rule: a second tap or device inserts nothing.
checkins = Table(
    "rewards_checkins",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("member_id", String(40), primary_key=True),
    Column("day", String(10), primary_key=True),  # Asia/Shanghai, ISO
    Column("month", String(7), nullable=False),
    Column("streak", Integer, nullable=False),
    Column("points", BigInteger, nullable=False),
    Column("makeup", Boolean, nullable=False),
    Column("makeup_cost", BigInteger, nullable=False),
    Column("entry_id", String(40), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
)
