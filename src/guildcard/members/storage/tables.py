"""Members tables. Personal data is stored encrypted (``*_cipher``) with keyed hashes for look-ups."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Index, Integer, String, Table, Text, UniqueConstraint

from guildcard.db.metadata import metadata
from guildcard.db.types import UtcDateTime

members = Table(
    "members",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("member_id", String(40), primary_key=True),
    Column("number", Integer, nullable=False),  # per alliance, inside member codes only
    Column("status", String(16), nullable=False),
    Column("phone_cipher", Text, nullable=True),
    Column("phone_hash", String(64), nullable=True),
    Column("name_cipher", Text, nullable=True),
    Column("gender", String(8), nullable=True),
    Column("birthday_cipher", Text, nullable=True),
    Column("birthday_hash", String(64), nullable=True),
    Column("region_cipher", Text, nullable=True),
    Column("totp_cipher", Text, nullable=True),
    Column("pseudonym", String(40), nullable=False),
    Column("registered_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("erased_at", UtcDateTime, nullable=True),
    UniqueConstraint("alliance_id", "number"),
    UniqueConstraint("alliance_id", "phone_hash"),
    Index(None, "alliance_id", "birthday_hash"),
)

member_numbers = Table(
    "member_numbers",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("last_number", Integer, nullable=False),
)

member_consents = Table(
    "member_consents",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("consent_id", String(40), primary_key=True),
    Column("member_id", String(40), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("granted", Boolean, nullable=False),
    Column("version", String(32), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Index(None, "alliance_id", "member_id"),
)

member_otps = Table(
    "member_otps",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("otp_id", String(40), primary_key=True),
    Column("phone_hash", String(64), nullable=False),
    Column("purpose", String(16), nullable=False),
    Column("code_hash", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("consumed_at", UtcDateTime, nullable=True),
    Index(None, "alliance_id", "phone_hash", "created_at"),
)

member_code_uses = Table(
    "member_code_uses",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("member_id", String(40), primary_key=True),
    Column("step", BigInteger, primary_key=True),
    Column("used_at", UtcDateTime, nullable=False),
)

member_duplicate_flags = Table(
    "member_duplicate_flags",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("flag_id", String(40), primary_key=True),
    Column("member_a", String(40), nullable=False),
    Column("member_b", String(40), nullable=False),
    Column("score", Integer, nullable=False),  # 0..100
    Column("reason", String(64), nullable=False),
    Column("status", String(20), nullable=False),
    Column("flagged_at", UtcDateTime, nullable=False),
    Column("reviewed_at", UtcDateTime, nullable=True),
    Column("reviewed_by", String(40), nullable=True),
    UniqueConstraint("alliance_id", "member_a", "member_b"),
)

member_terms = Table(  # the alliance's membership terms and privacy notice, one row per published version
    "member_terms",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("version", String(32), primary_key=True),
    Column("body", Text, nullable=False),
    Column("published_at", UtcDateTime, nullable=False),
    Column("published_by", String(40), nullable=False),
)
