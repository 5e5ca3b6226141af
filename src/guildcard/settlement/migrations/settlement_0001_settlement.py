"""settlement: settings, issuance limits, closed runs, statements, lines, settled sales, entry fees

Revision ID: settlement_0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from guildcard.db.types import UtcDateTime

revision = "settlement_0001"
down_revision = None
branch_labels = ("settlement",)
depends_on = None

ID = 40
KEY = 16


def _pk(table: str, *cols: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint(*cols, name=f"pk_{table}")


def _big(name: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.BigInteger(), nullable=False)


FIGURES = (
    "points_issued", "points_redeemed", "redemptions", "member_sales", "issue_value", "reimbursement",
    "grant_funded", "commission", "redemption_fees", "entry_fees", "breakage_points", "breakage_share", "net",
)  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "settlement_settings",
        sa.Column("alliance_id", sa.String(ID), nullable=False),
        sa.Column("breakage_mode", sa.String(24), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        _pk("settlement_settings", "alliance_id"),
    )
    op.create_table(
        "settlement_limits",
        sa.Column("alliance_id", sa.String(ID), nullable=False),
        sa.Column("merchant_id", sa.String(ID), nullable=False),
        sa.Column("period_kind", sa.String(8), nullable=False),
        _big("limit_points"),
        sa.Column("mode", sa.String(8), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        _pk("settlement_limits", "alliance_id", "merchant_id"),
    )
    op.create_table(
        "settlement_runs",
        sa.Column("alliance_id", sa.String(ID), nullable=False),
        sa.Column("period_key", sa.String(KEY), nullable=False),
        sa.Column("period_kind", sa.String(8), nullable=False),
        sa.Column("starts_at", UtcDateTime(), nullable=False),
        sa.Column("ends_at", UtcDateTime(), nullable=False),
        sa.Column("close_seq", sa.Integer(), nullable=False),
        sa.Column("checkpoint_seq", sa.Integer(), nullable=False),
        sa.Column("checkpoint_root", sa.String(64), nullable=False),
        sa.Column("breakage_mode", sa.String(24), nullable=False),
        sa.Column("closed_at", UtcDateTime(), nullable=False),
        _pk("settlement_runs", "alliance_id", "period_key"),
    )
    op.create_table(
        "settlement_statements",
        sa.Column("alliance_id", sa.String(ID), nullable=False),
        sa.Column("period_key", sa.String(KEY), nullable=False),
        sa.Column("merchant_id", sa.String(ID), nullable=False),
        sa.Column("merchant_name", sa.String(200), nullable=False),
        *(_big(name) for name in FIGURES),
        sa.Column("ledger_entry_id", sa.String(ID), nullable=True),
        sa.Column("closed_at", UtcDateTime(), nullable=False),
        _pk("settlement_statements", "alliance_id", "period_key", "merchant_id"),
    )
    op.create_table(
        "settlement_lines",
        sa.Column("alliance_id", sa.String(ID), nullable=False),
        sa.Column("period_key", sa.String(KEY), nullable=False),
        sa.Column("merchant_id", sa.String(ID), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("component", sa.String(24), nullable=False),
        sa.Column("terms_version", sa.String(ID), nullable=False),
        sa.Column("corrects", sa.String(KEY), nullable=True),
        _big("quantity"),
        sa.Column("unit_price", sa.String(40), nullable=False),
        _big("amount"),
        sa.Column("in_net", sa.Boolean(), nullable=False),
        _pk("settlement_lines", "alliance_id", "period_key", "merchant_id", "line_no"),
    )
    op.create_table(
        "settlement_sales",
        sa.Column("alliance_id", sa.String(ID), nullable=False),
        sa.Column("sale_id", sa.String(ID), nullable=False),
        sa.Column("period_key", sa.String(KEY), nullable=False),
        sa.Column("merchant_id", sa.String(ID), nullable=False),
        _big("amount"),
        _pk("settlement_sales", "alliance_id", "sale_id"),
    )
    op.create_table(
        "settlement_entry_fees",
        sa.Column("alliance_id", sa.String(ID), nullable=False),
        sa.Column("merchant_id", sa.String(ID), nullable=False),
        sa.Column("terms_version", sa.String(ID), nullable=False),
        sa.Column("period_key", sa.String(KEY), nullable=False),
        _pk("settlement_entry_fees", "alliance_id", "merchant_id", "terms_version"),
    )


def downgrade() -> None:
    for table in (
        "settlement_entry_fees", "settlement_sales", "settlement_lines", "settlement_statements",
        "settlement_runs", "settlement_limits", "settlement_settings",
    ):  # fmt: skip
        op.drop_table(table)
