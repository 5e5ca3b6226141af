"""What the counter needs from other contexts, as Protocols (ports).

Members, alliance (merchants, stores, contracts) and settlement (issuance limits) are other
contexts: the counter reaches them only through these ports. Every method takes the
connection of the counter's command (or of its read): a port never opens a transaction of
its own. The real adapters are in ``guildcard.adapters.counter_ports``; errors are the
owning context's (a bad member code is the members' ``MemberCodeInvalid``, a suspended
merchant the alliance's ``MerchantSuspended``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from sqlalchemy import Connection

ONE = Decimal(1)


@dataclass(frozen=True)
class MemberRef:
    member_id: str
    display: str  # masked / pseudonymous: what the merchant may see (e.g. 138****1234)
    is_member: bool = True  # False: a registered customer without membership
    tier_name: str | None = None
    tier_multiplier: Decimal = ONE


@dataclass(frozen=True)
class StoreRef:
    store_id: str
    merchant_id: str
    merchant_name: str
    trade_category: str = ""
    active: bool = True  # False: the merchant is suspended


@dataclass(frozen=True)
class CounterTerms:
    """The counter's side of the merchant's contract in force."""

    points_per_yuan: Decimal  # earn rate
    member_discount: Decimal = ONE  # 0.95 = 5% off for members; 1 = none


class MemberDirectory(Protocol):
    """``merchant_id`` is who will see the member: the display is masked or pseudonymous for them."""

    def redeem_member_code(
        self, conn: Connection, alliance_id: str, code: str, now: datetime, *, merchant_id: str | None = None
    ) -> MemberRef:
        """The member behind a rotating code, using it up in ``conn``'s transaction (so a failed
        commit leaves the code usable)."""
        ...

    def peek_member_code(
        self, conn: Connection, alliance_id: str, code: str, now: datetime, *, merchant_id: str | None = None
    ) -> MemberRef:
        """Like ``redeem_member_code`` without using the code up (for the preview)."""
        ...

    def lookup_by_phone_for_counter(
        self, conn: Connection, alliance_id: str, phone: str, *, merchant_id: str | None = None
    ) -> MemberRef:
        """Only members who agreed to be found by phone at the counter."""
        ...

    def get(
        self, conn: Connection, alliance_id: str, member_id: str, *, merchant_id: str | None = None
    ) -> MemberRef: ...


class MerchantDirectory(Protocol):
    def store(self, conn: Connection, alliance_id: str, store_id: str) -> StoreRef:
        """An open store with its merchant (one read); raises the counter's ``StoreNotFound``."""
        ...

    def terms_in_force(
        self, conn: Connection, alliance_id: str, merchant_id: str, at: datetime
    ) -> CounterTerms: ...

    def require_active(self, store: StoreRef) -> None:
        """Raises the alliance's ``MerchantSuspended`` when the store's merchant is suspended."""
        ...


class IssuanceGuard(Protocol):
    def limited_merchants(self, conn: Connection, alliance_id: str) -> frozenset[str]:
        """The merchants with an issuance limit (the counter caches this under "settlement")."""
        ...

    def check_issuance(
        self, conn: Connection, alliance_id: str, merchant_id: str, points: int, at: datetime
    ) -> None:
        """Inside the commit's transaction; raises when the merchant's issuance limit is reached."""
        ...


@dataclass(frozen=True)
class CounterPorts:
    members: MemberDirectory
    merchants: MerchantDirectory
    issuance: IssuanceGuard
