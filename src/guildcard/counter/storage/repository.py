"""Reads and writes of the counter's rows, on the caller's connection (it never commits).

Claims use ``INSERT ... ON CONFLICT DO NOTHING RETURNING``: on PostgreSQL a concurrent
duplicate waits on the unique key until the first transaction ends, then sees its row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from guildcard.counter.storage.tables import backfills, purchases, refund_requests, refunds
from guildcard.db.batch import WriteBatch

PURCHASE_PLACEHOLDERS = {
    "member_id": "", "status": "claimed", "bill_fen": 0, "discount_fen": 0, "payable_fen": 0,
    "points_used": 0, "points_value_fen": 0, "cash_fen": 0, "points_earned": 0, "growth": 0,
    "refunded_fen": 0, "receipt": {},
}  # fmt: skip


class CounterRepository:
    def __init__(self, connection: Connection, alliance_id: str) -> None:
        self.conn = connection
        self.alliance_id = alliance_id
        self.is_pg = connection.dialect.name == "postgresql"

    def _claim(self, table: Any, values: dict[str, Any], key: Any) -> bool:
        insert = pg_insert if self.is_pg else sqlite_insert
        stmt = insert(table).values(alliance_id=self.alliance_id, **values).on_conflict_do_nothing()
        return self.conn.execute(stmt.returning(key)).first() is not None

    def _lockable(self, stmt: Any, lock: bool) -> Any:
        return stmt.with_for_update() if lock and self.is_pg else stmt

    # --- purchases ---------------------------------------------------------------------------

    def claim_purchase(self, **values: Any) -> bool:
        """Claim (merchant, order number) for a new purchase; False when it is taken."""
        return self._claim(purchases, {**PURCHASE_PLACEHOLDERS, **values}, purchases.c.purchase_id)

    def purchase_by_order(self, merchant_id: str, order_no: str, *, lock: bool = False) -> Row[Any] | None:
        stmt = select(purchases).where(
            purchases.c.alliance_id == self.alliance_id,
            purchases.c.merchant_id == merchant_id,
            purchases.c.order_no == order_no,
        )
        return self.conn.execute(self._lockable(stmt, lock)).first()

    def finish_purchase(self, writes: WriteBatch, purchase_id: str, **values: Any) -> None:
        """Complete the claimed row, in the command's write batch (nothing reads it back before commit)."""
        writes.update(purchases, {"alliance_id": self.alliance_id, "purchase_id": purchase_id}, values)

    def earned_today(self, member_id: str, merchant_id: str, start: datetime, end: datetime) -> int:
        """Points this member earned at this merchant in [start, end) (refunds do not give room back)."""
        total = self.conn.execute(
            select(func.coalesce(func.sum(purchases.c.points_earned), 0)).where(
                purchases.c.alliance_id == self.alliance_id,
                purchases.c.member_id == member_id,
                purchases.c.merchant_id == merchant_id,
                purchases.c.occurred_at >= start,
                purchases.c.occurred_at < end,
            )
        ).scalar_one()
        return int(total)

    def purchases_of_member(self, member_id: str, limit: int = 50) -> list[Row[Any]]:
        stmt = (
            select(purchases)
            .where(purchases.c.alliance_id == self.alliance_id, purchases.c.member_id == member_id)
            .order_by(purchases.c.occurred_at.desc())
            .limit(limit)
        )
        return list(self.conn.execute(stmt))

    # --- refunds -----------------------------------------------------------------------------

    def claim_refund(self, **values: Any) -> bool:
        return self._claim(refunds, {"receipt": {}, **values}, refunds.c.refund_id)

    def refund_by_no(self, merchant_id: str, refund_no: str) -> Row[Any] | None:
        return self.conn.execute(
            select(refunds).where(
                refunds.c.alliance_id == self.alliance_id,
                refunds.c.merchant_id == merchant_id,
                refunds.c.refund_no == refund_no,
            )
        ).first()

    def finish_refund(self, writes: WriteBatch, refund_id: str, receipt: dict[str, Any]) -> None:
        """Store the refund's receipt, in the command's write batch."""
        writes.update(
            refunds, {"alliance_id": self.alliance_id, "refund_id": refund_id}, {"receipt": receipt}
        )

    # --- refund requests (spent points, waiting for the owner or a manager) ---------------------

    def claim_refund_request(self, **values: Any) -> bool:
        return self._claim(refund_requests, values, refund_requests.c.request_id)

    def refund_request_by_no(self, merchant_id: str, refund_no: str) -> Row[Any] | None:
        r = refund_requests.c
        return self.conn.execute(
            select(refund_requests).where(
                r.alliance_id == self.alliance_id, r.merchant_id == merchant_id, r.refund_no == refund_no
            )
        ).first()

    def refund_request(self, request_id: str, *, lock: bool = False) -> Row[Any] | None:
        r = refund_requests.c
        stmt = select(refund_requests).where(r.alliance_id == self.alliance_id, r.request_id == request_id)
        return self.conn.execute(self._lockable(stmt, lock)).first()

    def refund_requests(self, merchant_id: str, *, status: str) -> list[Row[Any]]:
        r = refund_requests.c
        return list(
            self.conn.execute(
                select(refund_requests)
                .where(r.alliance_id == self.alliance_id, r.merchant_id == merchant_id, r.status == status)
                .order_by(r.requested_at, r.request_id)
            )
        )

    def update_refund_request(self, request_id: str, **values: Any) -> None:
        r = refund_requests.c
        self.conn.execute(
            update(refund_requests)
            .where(r.alliance_id == self.alliance_id, r.request_id == request_id)
            .values(**values)
        )

    # --- backfills ---------------------------------------------------------------------------

    def claim_backfill(self, **values: Any) -> bool:
        return self._claim(backfills, values, backfills.c.backfill_id)

    def backfill_by_receipt(self, merchant_id: str, receipt_no: str) -> Row[Any] | None:
        return self.conn.execute(
            select(backfills).where(
                backfills.c.alliance_id == self.alliance_id,
                backfills.c.merchant_id == merchant_id,
                backfills.c.receipt_no == receipt_no,
            )
        ).first()

    def backfill(self, backfill_id: str, *, lock: bool = False) -> Row[Any] | None:
        stmt = select(backfills).where(
            backfills.c.alliance_id == self.alliance_id, backfills.c.backfill_id == backfill_id
        )
        return self.conn.execute(self._lockable(stmt, lock)).first()

    def update_backfill(self, backfill_id: str, **values: Any) -> None:
        self.conn.execute(
            update(backfills)
            .where(backfills.c.alliance_id == self.alliance_id, backfills.c.backfill_id == backfill_id)
            .values(**values)
        )
