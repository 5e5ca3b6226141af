"""What the counter needs from other contexts, as Protocols (ports).

Members, alliance (merchants, stores, contracts) and settlement (issuance limits) are
other contexts: the counter reaches them only through these ports. ``adapters/memory.py``
holds in-memory fakes for tests and the benchmark; the real adapters are wired in
``bootstrap.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import Connection

from guildcard.kernel.actors import Actor
from guildcard.kernel.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation

ONE = Decimal(1)


# --- values --------------------------------------------------------------------------------


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
    active: bool = True


@dataclass(frozen=True)
class CounterTerms:
    """The counter's side of the merchant's contract in force."""

    points_per_yuan: Decimal  # earn rate
    member_discount: Decimal = ONE  # 0.95 = 5% off for members; 1 = none


# --- errors these ports raise (the lead may unify them with the owning contexts) -----------


class MemberCodeInvalid(InvalidInput):
    """The member code is unknown, expired or already used; ask the member to refresh it."""

    code = "counter.member_code_invalid"


class MemberNotFound(NotFound):
    """No such member in this alliance."""

    code = "counter.member_not_found"


class PhoneLookupRefused(PermissionDenied):
    """The member has not agreed to be found by phone number at the counter."""

    code = "counter.phone_lookup_refused"


class StoreNotFound(NotFound):
    """No such store."""

    code = "counter.store_not_found"


class MerchantSuspended(RuleViolation):
    """The merchant is suspended from the alliance: no purchases can be recorded."""

    code = "alliance.merchant_suspended"


# --- ports ---------------------------------------------------------------------------------


class MemberDirectory(Protocol):
    """``merchant_id`` is who will see the member: the display is masked or pseudonymous for them."""

    def redeem_member_code(
        self, conn: Connection, alliance_id: str, code: str, now: datetime, *, merchant_id: str | None = None
    ) -> MemberRef:
        """The member behind a rotating code, using it up inside the caller's transaction (so a
        failed commit leaves the code usable); raises ``MemberCodeInvalid``."""
        ...

    def peek_member_code(
        self, alliance_id: str, code: str, now: datetime, *, merchant_id: str | None = None
    ) -> MemberRef:
        """Like ``redeem_member_code`` without using the code up (for the preview)."""
        ...

    def lookup_by_phone_for_counter(
        self, alliance_id: str, phone: str, *, merchant_id: str | None = None
    ) -> MemberRef:
        """Raises ``MemberNotFound``, or ``PhoneLookupRefused`` without the member's consent."""
        ...

    def get(self, alliance_id: str, member_id: str, *, merchant_id: str | None = None) -> MemberRef:
        """Raises ``MemberNotFound``."""
        ...


class MerchantDirectory(Protocol):
    def store(self, alliance_id: str, store_id: str) -> StoreRef:
        """Raises ``StoreNotFound``."""
        ...

    def terms_in_force(self, alliance_id: str, merchant_id: str, at: datetime) -> CounterTerms: ...

    def require_active(self, alliance_id: str, merchant_id: str) -> None:
        """Raises ``MerchantSuspended``."""
        ...


class IssuanceGuard(Protocol):
    def check_issuance(
        self, conn: Connection, alliance_id: str, merchant_id: str, points: int, at: datetime
    ) -> None:
        """Inside the commit's transaction; raises when the merchant's issuance limit is reached."""
        ...


class AuditSink(Protocol):
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
        """Inside the command's transaction: one audit record."""
        ...


@dataclass(frozen=True)
class CounterPorts:
    members: MemberDirectory
    merchants: MerchantDirectory
    issuance: IssuanceGuard
    audit: AuditSink
