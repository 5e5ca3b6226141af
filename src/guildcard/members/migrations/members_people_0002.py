"""members: files uploaded on the import page, kept between preview and import

Revision ID: members_people_0002
Revises: members_people_0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from guildcard.db.types import UtcDateTime

revision = "members_people_0002"
down_revision = "members_people_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "member_import_uploads",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("upload_id", sa.String(40), nullable=False),
        sa.Column("merchant_id", sa.String(40), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", sa.String(40), nullable=False),
        sa.Column("uploaded_at", UtcDateTime(), nullable=False),
        sa.Column("batch_id", sa.String(40), nullable=True),
        sa.PrimaryKeyConstraint("alliance_id", "upload_id", name="pk_member_import_uploads"),
    )


def downgrade() -> None:
    op.drop_table("member_import_uploads")
