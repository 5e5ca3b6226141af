"""ledger: accounts, entries, postings, lots, consumptions, holds, reversals, checkpoints

Revision ID: ledger_0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from guildcard.db.types import UtcDateTime

revision = "ledger_0001"
down_revision = None
branch_labels = ("ledger",)
depends_on = None

ID = 40
CODE = 100


def _pk(table: str, *cols: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint(*cols, name=f"pk_{table}")


def upgrade() -> None:
    op.create_table(
        "ledger_settings",
        sa.Column("alliance_id", sa.String(ID), nullable=False),
        sa.Column("expiry_kind", sa.String(16), nullable=False),
        sa.Column("expiry_period", sa.Integer(), nullable=False),
        sa.Column("negative_mode", sa.String(16), nullable=False),
        sa.Column("negative_limit", sa.BigInteger(), nullable=False),
        sa.Column("public_key", sa.String(64), nullable=False),
        sa.Column("private_key_enc", sa.Text(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        _pk("ledger_settings", "alliance_id"),
    )
    op.create_table(
        "ledger_accounts",
        sa.Column("alliance_id", sa.String(ID), nullable=False),
        sa.Column("code", sa.String(CODE), nullable=False),
        sa.Column("unit", sa.String(8), nullable=False),
        sa.Column("owner_kind", sa.String(16), nullable=False),
        sa.Column("owner_id", sa.String(ID), nullable=True),
        sa.Column("balance", sa.BigInteger(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        _pk("ledger_accounts", "alliance_id", "code"),
        postgresql_with={"fillfactor": 80},
    )
    op.create_table(
        "ledger_entries",
        sa.Column("alliance_id", sa.String(ID), nullable=False),
        sa.Column("id", sa.String(ID), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("scope", sa.String(32), nullable=False),
        sa.Column("idem_key", sa.String(160), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("reference", sa.String(160), nullable=True),
        sa.Column("member_id", sa.String(ID), nullable=True),
        sa.Column("counterparty", sa.String(CODE), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("reverses", sa.String(ID), nullable=True),
        sa.Column("occurred_at", UtcDateTime(), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        _pk("ledger_entries", "alliance_id", "id"),
        sa.UniqueConstraint(
            "alliance_id", "scope", "idem_key", name="uq_ledger_entries_alliance_id_scope_idem_key"
        ),
    )
    op.create_index("ix_ledger_entries_member", "ledger_entries", ["alliance_id", "member_id", "recorded_at"])
    op.create_table(
        "ledger_postings",
        sa.Column("alliance_id", sa.String(ID), nullable=False),
        sa.Column("entry_id", sa.String(ID), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("account", sa.String(CODE), nullable=False),
        sa.Column("unit", sa.String(8), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        _pk("ledger_postings", "alliance_id", "entry_id", "line"),
    )
    op.create_index("ix_ledger_postings_account", "ledger_postings", ["alliance_id", "account"])
    op.create_table(
        "ledger_lots",
        sa.Column("alliance_id", sa.String(ID), nullable=False),
        sa.Column("id", sa.String(ID), nullable=False),
        sa.Column("member_id", sa.String(ID), nullable=False),
        sa.Column("issuer", sa.String(CODE), nullable=False),
        sa.Column("entry_id", sa.String(ID), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("remaining", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("available_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=True),
        _pk("ledger_lots", "alliance_id", "id"),
        postgresql_with={"fillfactor": 80},
    )
    op.create_index("ix_ledger_lots_member", "ledger_lots", ["alliance_id", "member_id", "state"])
    op.create_index("ix_ledger_lots_expiry", "ledger_lots", ["alliance_id", "expires_at"])
    op.create_index("ix_ledger_lots_entry", "ledger_lots", ["alliance_id", "entry_id"])
    op.create_table(
        "ledger_consumptions",
        sa.Column("alliance_id", sa.String(ID), nullable=False),
        sa.Column("entry_id", sa.String(ID), nullable=False),
        sa.Column("lot_id", sa.String(ID), nullable=False),
        sa.Column("member_id", sa.String(ID), nullable=False),
        sa.Column("target", sa.String(CODE), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        _pk("ledger_consumptions", "alliance_id", "entry_id", "lot_id", "target"),
    )
    op.create_index("ix_ledger_consumptions_lot", "ledger_consumptions", ["alliance_id", "lot_id"])
    op.create_table(
        "ledger_holds",
        sa.Column("alliance_id", sa.String(ID), nullable=False),
        sa.Column("id", sa.String(ID), nullable=False),
        sa.Column("member_id", sa.String(ID), nullable=False),
        sa.Column("target", sa.String(CODE), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("hold_entry_id", sa.String(ID), nullable=False),
        sa.Column("closing_entry_id", sa.String(ID), nullable=True),
        _pk("ledger_holds", "alliance_id", "id"),
    )
    op.create_index("ix_ledger_holds_expiry", "ledger_holds", ["alliance_id", "state", "expires_at"])
    op.create_table(
        "ledger_reversals",
        sa.Column("alliance_id", sa.String(ID), nullable=False),
        sa.Column("original_id", sa.String(ID), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("reversal_id", sa.String(ID), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        _pk("ledger_reversals", "alliance_id", "original_id", "seq"),
    )
    op.create_table(
        "ledger_checkpoints",
        sa.Column("alliance_id", sa.String(ID), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("prev_root", sa.String(64), nullable=False),
        sa.Column("root", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("public_key", sa.String(64), nullable=False),
        sa.Column("signature", sa.String(128), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        _pk("ledger_checkpoints", "alliance_id", "seq"),
    )
    op.create_table(
        "ledger_checkpoint_leaves",
        sa.Column("alliance_id", sa.String(ID), nullable=False),
        sa.Column("entry_id", sa.String(ID), nullable=False),
        sa.Column("checkpoint_seq", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        _pk("ledger_checkpoint_leaves", "alliance_id", "entry_id"),
    )
    op.create_index(
        "ix_ledger_checkpoint_leaves_seq",
        "ledger_checkpoint_leaves",
        ["alliance_id", "checkpoint_seq", "position"],
    )


def downgrade() -> None:
    for table in (
        "ledger_checkpoint_leaves",
        "ledger_checkpoints",
        "ledger_reversals",
        "ledger_holds",
        "ledger_consumptions",
        "ledger_lots",
        "ledger_postings",
        "ledger_entries",
        "ledger_accounts",
        "ledger_settings",
    ):
        op.drop_table(table)
