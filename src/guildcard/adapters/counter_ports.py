"""The counter's ports, implemented with members, alliance, settlement and the audit log."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from guildcard.alliance.services.contracts import terms_in_force
from guildcard.alliance.storage import repository as alliance_repo
from guildcard.audit import log as audit_log
from guildcard.counter.ports import (
    CounterPorts,
    CounterTerms,
    MemberRef,
    MerchantSuspended,
    StoreNotFound,
    StoreRef,
)
from guildcard.db.engine import Database
from guildcard.kernel.actors import Actor
from guildcard.members.domain.model import MemberRef as MembersRef
from guildcard.members.services.counter import CounterService as MembersCounter
from guildcard.settlement.issuance import check_issuance

# Operators (manual adjustments) see members as the alliance does, not as a merchant.
_ALLIANCE_VIEWER = "alliance"


class MembersForCounter:
    """Member codes and phone look-ups, shown to the merchant as members allow."""

    def __init__(self, members: MembersCounter) -> None:
        self._members = members

    def _ref(self, found: MembersRef, merchant_id: str | None) -> MemberRef:
        view = self._members.customer_view_for_merchant(found, merchant_id or _ALLIANCE_VIEWER)
        display = f"{view.label} {view.phone_masked}" if view.shared and view.phone_masked else view.label
        return MemberRef(member_id=found.member_id, display=display)

    def redeem_member_code(
        self, conn: Connection, alliance_id: str, code: str, now: datetime, *, merchant_id: str | None = None
    ) -> MemberRef:
        return self._ref(self._members.redeem_member_code_in(conn, alliance_id, code, now), merchant_id)

    def peek_member_code(
        self, alliance_id: str, code: str, now: datetime, *, merchant_id: str | None = None
    ) -> MemberRef:
        return self._ref(self._members.peek_member_code(alliance_id, code, now), merchant_id)

    def lookup_by_phone_for_counter(
        self, alliance_id: str, phone: str, *, merchant_id: str | None = None
    ) -> MemberRef:
        return self._ref(self._members.lookup_by_phone_for_counter(alliance_id, phone), merchant_id)

    def get(self, alliance_id: str, member_id: str, *, merchant_id: str | None = None) -> MemberRef:
        # The view reloads the member by id (raising MemberNotFound); the number is not read.
        return self._ref(MembersRef(alliance_id, member_id, number=0), merchant_id)


class MerchantsForCounter:
    """Stores, contract terms in force and suspension, from the alliance context."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def store(self, alliance_id: str, store_id: str) -> StoreRef:
        with self._database.read() as conn:
            store = alliance_repo.get_store(conn, alliance_id, store_id)
            merchant = alliance_repo.get_merchant(conn, alliance_id, store.merchant_id) if store else None
        if store is None or merchant is None or store.closed_at is not None:
            raise StoreNotFound(store_id=store_id)
        return StoreRef(store.id, merchant.id, merchant.name, merchant.category, active=merchant.is_active)

    def terms_in_force(self, alliance_id: str, merchant_id: str, at: datetime) -> CounterTerms:
        with self._database.read() as conn:
            terms = terms_in_force(conn, alliance_id, merchant_id, at)
        # The contract states the discount (0.05 = 5 % off); the counter multiplies (0.95).
        return CounterTerms(
            points_per_yuan=terms.points_per_yuan, member_discount=Decimal(1) - terms.member_discount
        )

    def require_active(self, alliance_id: str, merchant_id: str) -> None:
        with self._database.read() as conn:
            merchant = alliance_repo.get_merchant(conn, alliance_id, merchant_id)
        if merchant is None or not merchant.is_active:
            raise MerchantSuspended(merchant_id=merchant_id)


class IssuanceLimits:
    def check_issuance(
        self, conn: Connection, alliance_id: str, merchant_id: str, points: int, at: datetime
    ) -> None:
        check_issuance(conn, alliance_id, merchant_id, points, at)


class AuditLog:
    def record(
        self,
        conn: Connection,
        *,
        actor: Actor,
        action: str,
        subject: str,
        details: dict[str, Any],
        at: datetime,
    ) -> None:
        object_type, _, object_id = subject.partition(":")
        audit_log.record(
            conn, actor=actor, action=action, object_type=object_type, object_id=object_id, at=at,
            details={k: v for k, v in details.items() if k != "reason"} | {"has_reason": "reason" in details},
        )  # fmt: skip


def counter_ports(database: Database, members: MembersCounter) -> CounterPorts:
    return CounterPorts(
        members=MembersForCounter(members),
        merchants=MerchantsForCounter(database),
        issuance=IssuanceLimits(),
        audit=AuditLog(),
    )
