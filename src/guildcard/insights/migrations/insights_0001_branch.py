"""insights: the root of the context's Alembic branch (creates nothing)

Revision ID: insights_0001
Revises:
Create Date: 2026-12-03
"""

from __future__ import annotations

revision = "insights_0001"
down_revision = None
branch_labels = ("insights",)
depends_on = None


def upgrade() -> None:
    """Each feature adds its tables in a revision of its own on this branch."""


def downgrade() -> None:
    """Nothing to undo."""
