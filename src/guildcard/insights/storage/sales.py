"""Item counts of member purchases and non-member (walk-in) sales."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, insert, select

from guildcard.insights.storage.tables import purchase_items, walk_in_sales


@dataclass(frozen=True)
class WalkIn:
    sale_id: str
    merchant_id: str
    store_id: str
    order_no: str
    amount_fen: int
    items: int | None
    occurred_at: datetime


class SalesRepository:
    def __init__(self, conn: Connection, alliance_id: str) -> None:
        self.conn, self.alliance_id = conn, alliance_id

    def put_items(self, items: Mapping[str, int]) -> None:
        if not items:
            return
        c = purchase_items.c
        ids = list(items)
        self.conn.execute(
            delete(purchase_items).where(c.alliance_id == self.alliance_id, c.purchase_id.in_(ids))
        )
        self.conn.execute(
            insert(purchase_items),
            [{"alliance_id": self.alliance_id, "purchase_id": p, "items": n} for p, n in items.items()],
        )

    def items_of(self, purchase_ids: Sequence[str]) -> dict[str, int]:
        c = purchase_items.c
        found: dict[str, int] = {}
        for start in range(0, len(purchase_ids), 500):
            chunk = list(purchase_ids[start : start + 500])
            rows = self.conn.execute(
                select(c.purchase_id, c["items"]).where(
                    c.alliance_id == self.alliance_id, c.purchase_id.in_(chunk)
                )
            )
            found.update({r[0]: int(r[1]) for r in rows})
        return found

    def walk_in(self, merchant_id: str, order_no: str) -> WalkIn | None:
        c = walk_in_sales.c
        row = self.conn.execute(
            select(walk_in_sales).where(
                c.alliance_id == self.alliance_id, c.merchant_id == merchant_id, c.order_no == order_no
            )
        ).first()
        return _walk_in(row) if row else None

    def add_walk_in(self, sale: WalkIn, *, now: datetime, actor_id: str) -> None:
        self.conn.execute(
            insert(walk_in_sales).values(
                alliance_id=self.alliance_id, recorded_at=now, actor_id=actor_id, **vars(sale)
            )
        )

    def walk_ins_between(self, start: datetime, end: datetime) -> list[WalkIn]:
        c = walk_in_sales.c
        rows = self.conn.execute(
            select(walk_in_sales).where(
                c.alliance_id == self.alliance_id, c.occurred_at >= start, c.occurred_at < end
            )
        )
        return [_walk_in(r) for r in rows]


def _walk_in(r: object) -> WalkIn:
    row = r._mapping  # type: ignore[attr-defined]
    return WalkIn(
        row["sale_id"], row["merchant_id"], row["store_id"], row["order_no"], int(row["amount_fen"]),
        None if row["items"] is None else int(row["items"]), row["occurred_at"],
    )  # fmt: skip
