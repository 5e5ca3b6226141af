"""members: import batches and keys, purchase history, match pairs, linkage runs, merges, phone aliases

Revision ID: members_people_0001
Revises: members_0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from guildcard.db.types import UtcDateTime

revision = "members_people_0001"
down_revision = "members_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "member_import_batches",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("batch_id", sa.String(40), nullable=False),
        sa.Column("merchant_id", sa.String(40), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("basis", sa.Text(), nullable=True),
        sa.Column("source_name", sa.String(200), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("linked", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("imported_by", sa.String(40), nullable=False),
        sa.Column("imported_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "batch_id", name="pk_member_import_batches"),
    )
    op.create_table(
        "member_imports",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("merchant_id", sa.String(40), nullable=False),
        sa.Column("external_id", sa.String(64), nullable=False),
        sa.Column("member_id", sa.String(40), nullable=False),
        sa.Column("batch_id", sa.String(40), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("opening_points", sa.BigInteger(), nullable=False),
        sa.Column("imported_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "merchant_id", "external_id", name="pk_member_imports"),
    )
    op.create_index("ix_member_imports_alliance_id_member_id", "member_imports", ["alliance_id", "member_id"])
    op.create_table(
        "member_purchase_history",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("merchant_id", sa.String(40), nullable=False),
        sa.Column("order_number", sa.String(64), nullable=False),
        sa.Column("member_id", sa.String(40), nullable=False),
        sa.Column("store_id", sa.String(40), nullable=True),
        sa.Column("occurred_at", UtcDateTime(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("item_count", sa.Integer(), nullable=True),
        sa.Column("batch_id", sa.String(40), nullable=False),
        sa.Column("points_entry_id", sa.String(40), nullable=True),
        sa.PrimaryKeyConstraint(
            "alliance_id", "merchant_id", "order_number", name="pk_member_purchase_history"
        ),
    )
    op.create_index(
        "ix_member_purchase_history_alliance_id_member_id",
        "member_purchase_history",
        ["alliance_id", "member_id"],
    )
    op.create_table(
        "member_match_pairs",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("pair_id", sa.String(40), nullable=False),
        sa.Column("member_l", sa.String(40), nullable=False),
        sa.Column("member_r", sa.String(40), nullable=False),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("match_weight", sa.Float(), nullable=False),
        sa.Column("band", sa.String(12), nullable=False),
        sa.Column("contributions", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("found_at", UtcDateTime(), nullable=False),
        sa.Column("reviewed_at", UtcDateTime(), nullable=True),
        sa.Column("reviewed_by", sa.String(40), nullable=True),
        sa.PrimaryKeyConstraint("alliance_id", "pair_id", name="pk_member_match_pairs"),
        sa.UniqueConstraint(
            "alliance_id", "member_l", "member_r", name="uq_member_match_pairs_alliance_id_member_l_member_r"
        ),
    )
    op.create_table(
        "member_linkage_runs",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("last_run_at", UtcDateTime(), nullable=False),
        sa.Column("members_compared", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", name="pk_member_linkage_runs"),
    )
    op.create_table(
        "member_merges",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("merge_id", sa.String(40), nullable=False),
        sa.Column("survivor_id", sa.String(40), nullable=False),
        sa.Column("absorbed_id", sa.String(40), nullable=False),
        sa.Column("pair_id", sa.String(40), nullable=True),
        sa.Column("moved", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("merged_at", UtcDateTime(), nullable=False),
        sa.Column("merged_by", sa.String(40), nullable=False),
        sa.Column("undo_before", UtcDateTime(), nullable=False),
        sa.Column("undone_at", UtcDateTime(), nullable=True),
        sa.Column("undone_by", sa.String(40), nullable=True),
        sa.PrimaryKeyConstraint("alliance_id", "merge_id", name="pk_member_merges"),
    )
    op.create_index(
        "ix_member_merges_alliance_id_absorbed_id", "member_merges", ["alliance_id", "absorbed_id"]
    )
    op.create_table(
        "member_phone_aliases",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("phone_hash", sa.String(64), nullable=False),
        sa.Column("member_id", sa.String(40), nullable=False),
        sa.Column("merge_id", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "phone_hash", name="pk_member_phone_aliases"),
    )


def downgrade() -> None:
    op.drop_table("member_phone_aliases")
    op.drop_index("ix_member_merges_alliance_id_absorbed_id", table_name="member_merges")
    op.drop_table("member_merges")
    op.drop_table("member_linkage_runs")
    op.drop_table("member_match_pairs")
    op.drop_index("ix_member_purchase_history_alliance_id_member_id", table_name="member_purchase_history")
    op.drop_table("member_purchase_history")
    op.drop_index("ix_member_imports_alliance_id_member_id", table_name="member_imports")
    op.drop_table("member_imports")
    op.drop_table("member_import_batches")
