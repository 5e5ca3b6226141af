"""alliance: alliances, operators, onboarding, merchants, stores, staff, contracts, POS keys

Revision ID: alliance_0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from guildcard.db.types import UtcDateTime

revision = "alliance_0001"
down_revision = None
branch_labels = ("alliance",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alliance_applications",
        sa.Column("alliance_id", sa.String(length=40), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("business_name", sa.String(length=100), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("legal_representative", sa.String(length=50), nullable=False),
        sa.Column("contact_phone_enc", sa.Text(), nullable=False),
        sa.Column("contact_phone_hash", sa.String(length=64), nullable=False),
        sa.Column("store_name", sa.String(length=100), nullable=False),
        sa.Column("store_address", sa.String(length=200), nullable=False),
        sa.Column("store_latitude", sa.String(length=16), nullable=False),
        sa.Column("store_longitude", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("merchant_id", sa.String(length=40), nullable=True),
        sa.Column("applicant_token_hash", sa.String(length=64), nullable=False),
        sa.Column("submitted_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "id", name=op.f("pk_alliance_applications")),
    )
    op.create_index(
        "uq_alliance_applications_open_credit_code",
        "alliance_applications",
        ["alliance_id", "credit_code"],
        unique=True,
        sqlite_where=sa.text("status <> 'rejected'"),
        postgresql_where=sa.text("status <> 'rejected'"),
    )
    op.create_table(
        "alliance_contracts",
        sa.Column("alliance_id", sa.String(length=40), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("merchant_id", sa.String(length=40), nullable=False),
        sa.Column("effective_from", UtcDateTime(), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "id", name=op.f("pk_alliance_contracts")),
        sa.UniqueConstraint(
            "alliance_id",
            "merchant_id",
            "effective_from",
            name=op.f("uq_alliance_contracts_alliance_id_merchant_id_effective_from"),
        ),
    )
    op.create_table(
        "alliance_merchants",
        sa.Column("alliance_id", sa.String(length=40), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("legal_representative", sa.String(length=50), nullable=False),
        sa.Column("contact_phone_enc", sa.Text(), nullable=False),
        sa.Column("contact_phone_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("application_id", sa.String(length=40), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "id", name=op.f("pk_alliance_merchants")),
        sa.UniqueConstraint(
            "alliance_id", "credit_code", name=op.f("uq_alliance_merchants_alliance_id_credit_code")
        ),
    )
    op.create_table(
        "alliance_operators",
        sa.Column("alliance_id", sa.String(length=40), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("activation_hash", sa.String(length=64), nullable=True),
        sa.Column("activation_expires_at", UtcDateTime(), nullable=True),
        sa.Column("disabled_at", UtcDateTime(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "id", name=op.f("pk_alliance_operators")),
        sa.UniqueConstraint("alliance_id", "login", name=op.f("uq_alliance_operators_alliance_id_login")),
    )
    op.create_table(
        "alliance_pos_keys",
        sa.Column("alliance_id", sa.String(length=40), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("merchant_id", sa.String(length=40), nullable=False),
        sa.Column("store_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=40), nullable=False),
        sa.Column("revoked_at", UtcDateTime(), nullable=True),
        sa.Column("last_used_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("alliance_id", "id", name=op.f("pk_alliance_pos_keys")),
        sa.UniqueConstraint(
            "alliance_id", "key_hash", name=op.f("uq_alliance_pos_keys_alliance_id_key_hash")
        ),
    )
    op.create_index(
        "ix_alliance_pos_keys_store", "alliance_pos_keys", ["alliance_id", "store_id"], unique=False
    )
    op.create_table(
        "alliance_staff",
        sa.Column("alliance_id", sa.String(length=40), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("merchant_id", sa.String(length=40), nullable=False),
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("activation_hash", sa.String(length=64), nullable=True),
        sa.Column("activation_expires_at", UtcDateTime(), nullable=True),
        sa.Column("disabled_at", UtcDateTime(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "id", name=op.f("pk_alliance_staff")),
        sa.UniqueConstraint("alliance_id", "login", name=op.f("uq_alliance_staff_alliance_id_login")),
    )
    op.create_index(
        "ix_alliance_staff_merchant", "alliance_staff", ["alliance_id", "merchant_id"], unique=False
    )
    op.create_table(
        "alliance_staff_stores",
        sa.Column("alliance_id", sa.String(length=40), nullable=False),
        sa.Column("staff_id", sa.String(length=40), nullable=False),
        sa.Column("store_id", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "staff_id", "store_id", name=op.f("pk_alliance_staff_stores")),
    )
    op.create_table(
        "alliance_status_events",
        sa.Column("alliance_id", sa.String(length=40), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("object_type", sa.String(length=24), nullable=False),
        sa.Column("object_id", sa.String(length=40), nullable=False),
        sa.Column("from_status", sa.String(length=24), nullable=True),
        sa.Column("to_status", sa.String(length=24), nullable=False),
        sa.Column("actor_kind", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "id", name=op.f("pk_alliance_status_events")),
    )
    op.create_index(
        "ix_alliance_status_events_object",
        "alliance_status_events",
        ["alliance_id", "object_type", "object_id"],
        unique=False,
    )
    op.create_table(
        "alliance_stores",
        sa.Column("alliance_id", sa.String(length=40), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("merchant_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("latitude", sa.String(length=16), nullable=False),
        sa.Column("longitude", sa.String(length=16), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("closed_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("alliance_id", "id", name=op.f("pk_alliance_stores")),
    )
    op.create_index(
        "ix_alliance_stores_merchant", "alliance_stores", ["alliance_id", "merchant_id"], unique=False
    )
    op.create_table(
        "alliance_trade_categories",
        sa.Column("alliance_id", sa.String(length=40), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "code", name=op.f("pk_alliance_trade_categories")),
    )
    op.create_table(
        "alliances",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("city", sa.String(length=50), nullable=False),
        sa.Column("time_zone", sa.String(length=50), nullable=False),
        sa.Column("contract_limits", sa.JSON(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alliances")),
        sa.UniqueConstraint("code", name=op.f("uq_alliances_code")),
    )


def downgrade() -> None:
    op.drop_table("alliances")
    op.drop_table("alliance_trade_categories")
    op.drop_table("alliance_stores")
    op.drop_table("alliance_status_events")
    op.drop_table("alliance_staff_stores")
    op.drop_table("alliance_staff")
    op.drop_table("alliance_pos_keys")
    op.drop_table("alliance_operators")
    op.drop_table("alliance_merchants")
    op.drop_table("alliance_contracts")
    op.drop_table("alliance_applications")
