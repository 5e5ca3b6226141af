"""members: members, numbers, consents, one-time codes, member code uses, duplicate flags

Revision ID: members_0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from guildcard.db.types import UtcDateTime

revision = "members_0001"
down_revision = None
branch_labels = ("members",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "members",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("member_id", sa.String(40), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("phone_cipher", sa.Text(), nullable=True),
        sa.Column("phone_hash", sa.String(64), nullable=True),
        sa.Column("name_cipher", sa.Text(), nullable=True),
        sa.Column("gender", sa.String(8), nullable=True),
        sa.Column("birthday_cipher", sa.Text(), nullable=True),
        sa.Column("birthday_hash", sa.String(64), nullable=True),
        sa.Column("region_cipher", sa.Text(), nullable=True),
        sa.Column("totp_cipher", sa.Text(), nullable=True),
        sa.Column("pseudonym", sa.String(40), nullable=False),
        sa.Column("registered_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("erased_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("alliance_id", "member_id", name="pk_members"),
        sa.UniqueConstraint("alliance_id", "number", name="uq_members_alliance_id_number"),
        sa.UniqueConstraint("alliance_id", "phone_hash", name="uq_members_alliance_id_phone_hash"),
    )
    op.create_index("ix_members_alliance_id_birthday_hash", "members", ["alliance_id", "birthday_hash"])
    op.create_table(
        "member_numbers",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", name="pk_member_numbers"),
    )
    op.create_table(
        "member_consents",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("consent_id", sa.String(40), nullable=False),
        sa.Column("member_id", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("version", sa.String(32), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "consent_id", name="pk_member_consents"),
    )
    op.create_index(
        "ix_member_consents_alliance_id_member_id", "member_consents", ["alliance_id", "member_id"]
    )
    op.create_table(
        "member_otps",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("otp_id", sa.String(40), nullable=False),
        sa.Column("phone_hash", sa.String(64), nullable=False),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("consumed_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("alliance_id", "otp_id", name="pk_member_otps"),
    )
    op.create_index(
        "ix_member_otps_alliance_id_phone_hash_created_at",
        "member_otps",
        ["alliance_id", "phone_hash", "created_at"],
    )
    op.create_table(
        "member_code_uses",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("member_id", sa.String(40), nullable=False),
        sa.Column("step", sa.BigInteger(), nullable=False),
        sa.Column("used_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "member_id", "step", name="pk_member_code_uses"),
    )
    op.create_table(
        "member_duplicate_flags",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("flag_id", sa.String(40), nullable=False),
        sa.Column("member_a", sa.String(40), nullable=False),
        sa.Column("member_b", sa.String(40), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("flagged_at", UtcDateTime(), nullable=False),
        sa.Column("reviewed_at", UtcDateTime(), nullable=True),
        sa.Column("reviewed_by", sa.String(40), nullable=True),
        sa.PrimaryKeyConstraint("alliance_id", "flag_id", name="pk_member_duplicate_flags"),
        sa.UniqueConstraint(
            "alliance_id",
            "member_a",
            "member_b",
            name="uq_member_duplicate_flags_alliance_id_member_a_member_b",
        ),
    )


def downgrade() -> None:
    for table in (
        "member_duplicate_flags",
        "member_code_uses",
        "member_otps",
        "member_consents",
        "member_numbers",
        "members",
    ):
        op.drop_table(table)
