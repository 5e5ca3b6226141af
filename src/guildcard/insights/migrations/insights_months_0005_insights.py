"""insights: member-month rollups (alliance-wide and per merchant), filled from the daily ones

Revision ID: insights_months_0005_insights
Revises: insights_sales_0004
Create Date: 2026-12-03
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "insights_months_0005_insights"
down_revision = "insights_sales_0004"
branch_labels = None
depends_on = None

ID = 40


def _counts(*names: str) -> list[sa.Column[int]]:
    return [sa.Column(name, sa.BigInteger(), nullable=False) for name in names]


def upgrade() -> None:
    op.create_table(
        "insights_member_months",
        sa.Column("alliance_id", sa.String(ID), nullable=False),
        sa.Column("month_start", sa.Date(), nullable=False),
        sa.Column("member_id", sa.String(ID), nullable=False),
        *_counts("purchase_days", "orders", "sales_fen"),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "month_start", "member_id", name="pk_insights_member_months"),
    )
    op.create_table(
        "insights_member_merchant_months",
        sa.Column("alliance_id", sa.String(ID), nullable=False),
        sa.Column("month_start", sa.Date(), nullable=False),
        sa.Column("member_id", sa.String(ID), nullable=False),
        sa.Column("merchant_id", sa.String(ID), nullable=False),
        *_counts("purchase_days", "orders", "sales_fen", "points"),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint(
            "alliance_id",
            "month_start",
            "member_id",
            "merchant_id",
            name="pk_insights_member_merchant_months",
        ),
    )
    _fill()


_MONTH_COLUMNS = ("alliance_id", "month_start", "member_id", "purchase_days", "orders", "sales_fen")
_MERCHANT_COLUMNS = (*_MONTH_COLUMNS[:3], "merchant_id", *_MONTH_COLUMNS[3:], "points")


def _fill() -> None:
    """The months of the daily rows already there, one alliance-month at a time (written out here:
    a migration does not import the application's tables, which may change later)."""
    bind = op.get_bind()
    names = ("alliance_id", "day", "member_id", "merchant_id", "orders", "sales_fen", "points")
    c = sa.table("insights_member_days", *(sa.column(n) for n in names)).c
    found = bind.execute(
        sa.select(c.alliance_id, sa.func.min(c.day), sa.func.max(c.day)).group_by(c.alliance_id)
    )
    for alliance_id, lo, hi in found.all():
        first, last = (v if isinstance(v, date) else date.fromisoformat(str(v)) for v in (lo, hi))
        month = date(first.year, first.month, 1)
        while month <= last:
            stop = date(month.year + month.month // 12, month.month % 12 + 1, 1)
            where = [c.alliance_id == alliance_id, c.day >= month, c.day < stop, c.orders > 0]
            sums = [sa.func.count(sa.distinct(c.day)), sa.func.sum(c.orders), sa.func.sum(c.sales_fen)]
            days = [sa.func.min(c.day), sa.func.max(c.day)]
            at = sa.literal(month, sa.Date())
            for table, columns, keys, extra in (
                ("insights_member_months", _MONTH_COLUMNS, [c.member_id], []),
                ("insights_member_merchant_months", _MERCHANT_COLUMNS, [c.member_id, c.merchant_id],
                 [sa.func.sum(c.points)]),
            ):  # fmt: skip
                target = sa.table(table, *(sa.column(n) for n in (*columns, "first_day", "last_day")))
                rows = sa.select(c.alliance_id, at, *keys, *sums, *extra, *days).where(*where)
                bind.execute(
                    sa.insert(target).from_select(
                        [*columns, "first_day", "last_day"], rows.group_by(c.alliance_id, *keys)
                    )
                )
            month = stop


def downgrade() -> None:
    op.drop_table("insights_member_merchant_months")
    op.drop_table("insights_member_months")
