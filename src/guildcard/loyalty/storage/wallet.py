"""Stored-value rows: settings, packages, lots (top-ups), payments and their draws, refund requests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from guildcard.loyalty.domain.wallet import (
    Draw,
    EarnOnWallet,
    Lot,
    SpendOrder,
    TopUpPackage,
    WalletBalance,
    WalletSettings,
)
from guildcard.loyalty.storage.tables import loyalty_topup_packages as packages_t
from guildcard.loyalty.storage.tables import loyalty_wallet_draws as draws_t
from guildcard.loyalty.storage.tables import loyalty_wallet_lots as lots_t
from guildcard.loyalty.storage.tables import loyalty_wallet_payments as payments_t
from guildcard.loyalty.storage.tables import loyalty_wallet_refunds as refunds_t
from guildcard.loyalty.storage.tables import loyalty_wallet_settings as settings_t


class WalletRepository:
    def __init__(self, connection: Connection, alliance_id: str) -> None:
        self.conn = connection
        self.a = alliance_id

    # --- settings and packages -----------------------------------------------------------

    def settings(self) -> WalletSettings:
        row = (
            self.conn.execute(select(settings_t).where(settings_t.c.alliance_id == self.a)).mappings().first()
        )
        if row is None:
            return WalletSettings()
        return WalletSettings(SpendOrder(row["spend_order"]), EarnOnWallet(row["earn_on"]))

    def save_settings(self, settings: WalletSettings, *, now: datetime) -> None:
        values = {
            "spend_order": settings.spend_order.value,
            "earn_on": settings.earn_on.value,
            "updated_at": now,
        }
        dialect = pg_insert if self.conn.dialect.name == "postgresql" else sqlite_insert
        stmt = dialect(settings_t).values(alliance_id=self.a, **values)
        self.conn.execute(stmt.on_conflict_do_update(index_elements=["alliance_id"], set_=values))

    def add_package(self, package: TopUpPackage, *, now: datetime) -> None:
        self.conn.execute(
            insert(packages_t).values(
                alliance_id=self.a,
                package_id=package.package_id,
                name=package.name,
                pay_fen=package.pay_fen,
                bonus_fen=package.bonus_fen,
                active=package.active,
                created_at=now,
            )
        )

    def set_package_active(self, package_id: str, active: bool) -> bool:
        result = self.conn.execute(
            update(packages_t)
            .where(packages_t.c.alliance_id == self.a, packages_t.c.package_id == package_id)
            .values(active=active)
        )
        return bool(result.rowcount)

    def packages(self, *, active_only: bool = False) -> list[TopUpPackage]:
        query = select(packages_t).where(packages_t.c.alliance_id == self.a).order_by(packages_t.c.pay_fen)
        if active_only:
            query = query.where(packages_t.c.active.is_(True))
        return [
            TopUpPackage(
                r["package_id"], r["name"], int(r["pay_fen"]), int(r["bonus_fen"]), bool(r["active"])
            )
            for r in self.conn.execute(query).mappings()
        ]

    def package(self, package_id: str) -> TopUpPackage | None:
        return next((p for p in self.packages() if p.package_id == package_id), None)

    # --- lots ------------------------------------------------------------------------------

    def add_lot(self, **values: Any) -> None:
        self.conn.execute(insert(lots_t).values(alliance_id=self.a, state="open", **values))

    def open_lots(self, member_id: str, *, lock: bool) -> list[Lot]:
        """The member's lots with something left, oldest first (locked in that order)."""
        query = (
            select(lots_t.c.lot_id, lots_t.c.principal_left, lots_t.c.bonus_left)
            .where(lots_t.c.alliance_id == self.a, lots_t.c.member_id == member_id, lots_t.c.state == "open")
            .order_by(lots_t.c.created_at, lots_t.c.lot_id)
        )
        rows = self.conn.execute(query.with_for_update() if lock else query)
        return [Lot(r.lot_id, int(r.principal_left), int(r.bonus_left)) for r in rows]

    def lot(self, lot_id: str, *, lock: bool = False) -> dict[str, Any] | None:
        query = select(lots_t).where(lots_t.c.alliance_id == self.a, lots_t.c.lot_id == lot_id)
        row = self.conn.execute(query.with_for_update() if lock else query).mappings().first()
        return None if row is None else dict(row)

    def move_lots(self, draws: Sequence[Draw], *, sign: int) -> None:
        """Take (sign -1) or give back (sign +1) each draw's principal and bonus."""
        for d in draws:
            self.conn.execute(
                update(lots_t)
                .where(lots_t.c.alliance_id == self.a, lots_t.c.lot_id == d.lot_id)
                .values(
                    principal_left=lots_t.c.principal_left + sign * d.principal,
                    bonus_left=lots_t.c.bonus_left + sign * d.bonus,
                )
            )

    def close_lot(self, lot_id: str) -> None:
        self.conn.execute(
            update(lots_t)
            .where(lots_t.c.alliance_id == self.a, lots_t.c.lot_id == lot_id)
            .values(principal_left=0, bonus_left=0, state="refunded")
        )

    def balance(self, member_id: str) -> WalletBalance:
        query = select(
            func.coalesce(func.sum(lots_t.c.principal_left), 0),
            func.coalesce(func.sum(lots_t.c.bonus_left), 0),
        ).where(lots_t.c.alliance_id == self.a, lots_t.c.member_id == member_id)
        principal, bonus = self.conn.execute(query).one()
        return WalletBalance(int(principal), int(bonus))

    def lots_of(self, member_id: str) -> list[dict[str, Any]]:
        query = (
            select(lots_t)
            .where(lots_t.c.alliance_id == self.a, lots_t.c.member_id == member_id)
            .order_by(lots_t.c.created_at.desc())
        )
        return [dict(r) for r in self.conn.execute(query).mappings()]

    def liability(self) -> list[tuple[str, int, int]]:
        """(collecting merchant, principal left, bonus left), one grouped query."""
        query = (
            select(lots_t.c.merchant_id, func.sum(lots_t.c.principal_left), func.sum(lots_t.c.bonus_left))
            .where(lots_t.c.alliance_id == self.a)
            .group_by(lots_t.c.merchant_id)
            .order_by(lots_t.c.merchant_id)
        )
        return [(str(m), int(p), int(b)) for m, p, b in self.conn.execute(query)]

    def balances_by_member(self) -> dict[str, tuple[int, int]]:
        query = (
            select(lots_t.c.member_id, func.sum(lots_t.c.principal_left), func.sum(lots_t.c.bonus_left))
            .where(lots_t.c.alliance_id == self.a)
            .group_by(lots_t.c.member_id)
        )
        return {str(m): (int(p), int(b)) for m, p, b in self.conn.execute(query)}

    def count_lots(self) -> int:
        return int(self.conn.execute(select(func.count()).where(lots_t.c.alliance_id == self.a)).scalar_one())

    # --- payments --------------------------------------------------------------------------

    def add_payment(self, draws: Sequence[Draw], **values: Any) -> None:
        self.conn.execute(
            insert(payments_t).values(alliance_id=self.a, principal_back=0, bonus_back=0, **values)
        )
        self.conn.execute(
            insert(draws_t),
            [
                {
                    "alliance_id": self.a,
                    "payment_id": values["payment_id"],
                    "lot_id": d.lot_id,
                    "principal": d.principal,
                    "bonus": d.bonus,
                }
                for d in draws
            ],
        )

    def payment(self, payment_id: str, *, lock: bool = False) -> dict[str, Any] | None:
        query = select(payments_t).where(
            payments_t.c.alliance_id == self.a, payments_t.c.payment_id == payment_id
        )
        row = self.conn.execute(query.with_for_update() if lock else query).mappings().first()
        return None if row is None else dict(row)

    def draws(self, payment_id: str) -> list[Draw]:
        query = (
            select(draws_t)
            .where(draws_t.c.alliance_id == self.a, draws_t.c.payment_id == payment_id)
            .order_by(draws_t.c.lot_id.desc())
        )
        return [
            Draw(r["lot_id"], int(r["principal"]), int(r["bonus"]))
            for r in self.conn.execute(query).mappings()
        ]

    def mark_back(self, payment_id: str, principal: int, bonus: int) -> None:
        self.conn.execute(
            update(payments_t)
            .where(payments_t.c.alliance_id == self.a, payments_t.c.payment_id == payment_id)
            .values(
                principal_back=payments_t.c.principal_back + principal,
                bonus_back=payments_t.c.bonus_back + bonus,
            )
        )

    def payments_of(self, member_id: str, *, limit: int = 50) -> list[dict[str, Any]]:
        query = (
            select(payments_t)
            .where(payments_t.c.alliance_id == self.a, payments_t.c.member_id == member_id)
            .order_by(payments_t.c.created_at.desc())
            .limit(limit)
        )
        return [dict(r) for r in self.conn.execute(query).mappings()]

    def count_payments(self) -> int:
        return int(
            self.conn.execute(select(func.count()).where(payments_t.c.alliance_id == self.a)).scalar_one()
        )

    # --- a member merge --------------------------------------------------------------------

    def member_payment_ids(self, member_id: str) -> list[str]:
        query = select(payments_t.c.payment_id).where(
            payments_t.c.alliance_id == self.a, payments_t.c.member_id == member_id
        )
        return sorted(str(r) for r in self.conn.execute(query).scalars())

    def pending_request_ids(self, member_id: str) -> list[str]:
        query = select(refunds_t.c.request_id).where(
            refunds_t.c.alliance_id == self.a,
            refunds_t.c.member_id == member_id,
            refunds_t.c.state == "pending",
        )
        return sorted(str(r) for r in self.conn.execute(query).scalars())

    def reassign(
        self, *, lot_ids: Sequence[str], payment_ids: Sequence[str], request_ids: Sequence[str], to: str
    ) -> None:
        """These top-ups, payments and refund requests now belong to member ``to``."""
        for table, key, ids in (
            (lots_t, lots_t.c.lot_id, lot_ids),
            (payments_t, payments_t.c.payment_id, payment_ids),
            (refunds_t, refunds_t.c.request_id, request_ids),
        ):
            if ids:
                self.conn.execute(
                    update(table)
                    .where(table.c.alliance_id == self.a, key.in_(list(ids)))
                    .values(member_id=to)
                )

    # --- refund requests -------------------------------------------------------------------

    def add_refund(self, **values: Any) -> None:
        self.conn.execute(insert(refunds_t).values(alliance_id=self.a, state="pending", **values))

    def refund(self, request_id: str, *, lock: bool = False) -> dict[str, Any] | None:
        query = select(refunds_t).where(
            refunds_t.c.alliance_id == self.a, refunds_t.c.request_id == request_id
        )
        row = self.conn.execute(query.with_for_update() if lock else query).mappings().first()
        return None if row is None else dict(row)

    def decide_refund(self, request_id: str, **values: Any) -> None:
        self.conn.execute(
            update(refunds_t)
            .where(refunds_t.c.alliance_id == self.a, refunds_t.c.request_id == request_id)
            .values(**values)
        )

    def pending_refunds(self) -> list[dict[str, Any]]:
        query = (
            select(refunds_t)
            .where(refunds_t.c.alliance_id == self.a, refunds_t.c.state == "pending")
            .order_by(refunds_t.c.requested_at)
        )
        return [dict(r) for r in self.conn.execute(query).mappings()]
