"""Tables of the alliance context. Every key of an alliance's row is led by ``alliance_id``.

Decimals (contract terms, coordinates) are stored as strings: exact on every backend.
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Index, Integer, String, Table, Text, UniqueConstraint, text

from guildcard.db.metadata import metadata
from guildcard.db.types import UtcDateTime

ID = 40

# The deployment's registry of alliances (a reference table, not an alliance's row).
alliances = Table(
    "alliances",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("code", String(32), nullable=False, unique=True),
    Column("name", String(100), nullable=False),
    Column("city", String(50), nullable=False),
    Column("time_zone", String(50), nullable=False),
    Column("contract_limits", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

trade_categories = Table(
    "alliance_trade_categories",
    metadata,
    Column("alliance_id", String(ID), primary_key=True),
    Column("code", String(32), primary_key=True),
    Column("name", String(50), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("position", Integer, nullable=False),
)

operators = Table(
    "alliance_operators",
    metadata,
    Column("alliance_id", String(ID), primary_key=True),
    Column("id", String(ID), primary_key=True),
    Column("login", String(64), nullable=False),
    Column("display_name", String(100), nullable=False),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(255), nullable=True),
    Column("activation_hash", String(64), nullable=True),
    Column("activation_expires_at", UtcDateTime, nullable=True),
    Column("disabled_at", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("alliance_id", "login"),
)

applications = Table(
    "alliance_applications",
    metadata,
    Column("alliance_id", String(ID), primary_key=True),
    Column("id", String(ID), primary_key=True),
    Column("business_name", String(100), nullable=False),
    Column("category", String(32), nullable=False),
    Column("credit_code", String(18), nullable=False),
    Column("legal_representative", String(50), nullable=False),
    Column("contact_phone_enc", Text, nullable=False),
    Column("contact_phone_hash", String(64), nullable=False),
    Column("store_name", String(100), nullable=False),
    Column("store_address", String(200), nullable=False),
    Column("store_latitude", String(16), nullable=False),
    Column("store_longitude", String(16), nullable=False),
    Column("status", String(24), nullable=False),
    Column("reason", Text, nullable=True),
    Column("merchant_id", String(ID), nullable=True),
    Column("applicant_token_hash", String(64), nullable=False),
    Column("submitted_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    # One open or approved application per credit code and alliance; a rejection frees the code.
    Index(
        "uq_alliance_applications_open_credit_code",
        "alliance_id",
        "credit_code",
        unique=True,
        sqlite_where=text("status <> 'rejected'"),
        postgresql_where=text("status <> 'rejected'"),
    ),
)

# Every status transition of an application or a merchant: who, when, why.
status_events = Table(
    "alliance_status_events",
    metadata,
    Column("alliance_id", String(ID), primary_key=True),
    Column("id", String(ID), primary_key=True),
    Column("object_type", String(24), nullable=False),
    Column("object_id", String(ID), nullable=False),
    Column("from_status", String(24), nullable=True),
    Column("to_status", String(24), nullable=False),
    Column("actor_kind", String(16), nullable=False),
    Column("actor_id", String(ID), nullable=False),
    Column("reason", Text, nullable=True),
    Column("at", UtcDateTime, nullable=False),
    Index("ix_alliance_status_events_object", "alliance_id", "object_type", "object_id"),
)

merchants = Table(
    "alliance_merchants",
    metadata,
    Column("alliance_id", String(ID), primary_key=True),
    Column("id", String(ID), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("category", String(32), nullable=False),
    Column("credit_code", String(18), nullable=False),
    Column("legal_representative", String(50), nullable=False),
    Column("contact_phone_enc", Text, nullable=False),
    Column("contact_phone_hash", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("application_id", String(ID), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("alliance_id", "credit_code"),
)

stores = Table(
    "alliance_stores",
    metadata,
    Column("alliance_id", String(ID), primary_key=True),
    Column("id", String(ID), primary_key=True),
    Column("merchant_id", String(ID), nullable=False),
    Column("name", String(100), nullable=False),
    Column("address", String(200), nullable=False),
    Column("latitude", String(16), nullable=False),
    Column("longitude", String(16), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("closed_at", UtcDateTime, nullable=True),
    Index("ix_alliance_stores_merchant", "alliance_id", "merchant_id"),
)

staff = Table(
    "alliance_staff",
    metadata,
    Column("alliance_id", String(ID), primary_key=True),
    Column("id", String(ID), primary_key=True),
    Column("merchant_id", String(ID), nullable=False),
    Column("login", String(64), nullable=False),
    Column("display_name", String(100), nullable=False),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(255), nullable=True),
    Column("activation_hash", String(64), nullable=True),
    Column("activation_expires_at", UtcDateTime, nullable=True),
    Column("disabled_at", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("alliance_id", "login"),
    Index("ix_alliance_staff_merchant", "alliance_id", "merchant_id"),
)

staff_stores = Table(
    "alliance_staff_stores",
    metadata,
    Column("alliance_id", String(ID), primary_key=True),
    Column("staff_id", String(ID), primary_key=True),
    Column("store_id", String(ID), primary_key=True),
)

contracts = Table(
    "alliance_contracts",
    metadata,
    Column("alliance_id", String(ID), primary_key=True),
    Column("id", String(ID), primary_key=True),
    Column("merchant_id", String(ID), nullable=False),
    Column("effective_from", UtcDateTime, nullable=False),
    Column("terms", JSON, nullable=False),  # decimals as strings, entry fee as int fen
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", String(ID), nullable=False),
    UniqueConstraint("alliance_id", "merchant_id", "effective_from"),
)

pos_keys = Table(
    "alliance_pos_keys",
    metadata,
    Column("alliance_id", String(ID), primary_key=True),
    Column("id", String(ID), primary_key=True),
    Column("merchant_id", String(ID), nullable=False),
    Column("store_id", String(ID), nullable=False),
    Column("name", String(100), nullable=False),
    Column("prefix", String(16), nullable=False),
    Column("key_hash", String(64), nullable=False),
    Column("scopes", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", String(ID), nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
    Column("last_used_at", UtcDateTime, nullable=True),
    UniqueConstraint("alliance_id", "key_hash"),
    Index("ix_alliance_pos_keys_store", "alliance_id", "store_id"),
)
