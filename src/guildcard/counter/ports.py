"""What the counter needs from other contexts, as Protocols (ports).

Members, alliance (merchants, stores, contracts) and settlement (issuance limits) are other
contexts: the counter reaches them only through these ports. Every method takes the
connection of the counter's command (or of its read): a port never opens a transaction of
its own. The real adapters are in ``guildcard.adapters.counter_ports``; errors are the
owning context's (a bad member code is the members' ``MemberCodeInvalid``, a suspended
merchant the alliance's ``MerchantSuspended``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from sqlalchemy import Connection

from guildcard.counter.domain.stages import (
    NO_TIER,
    NO_WALLET,
    AppliedCoupon,
    CouponOffer,
    TierBenefits,
    TierChange,
    WalletBalance,
    WalletSplit,
)
from guildcard.db.batch import WriteBatch

ONE = Decimal(1)


@dataclass(frozen=True)
class MemberRef:
    member_id: str
    display: str  # masked / pseudonymous: what the merchant may see (e.g. 138****1234)
    is_member: bool = True  # False: a registered customer without membership


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
        self, conn: Connection, alliance_id: str, code: str, now: datetime, *, merchant_id: str | None = None,
        writes: WriteBatch | None = None,
    ) -> MemberRef:  # fmt: skip
        """The member behind a rotating code, using it up in ``conn``'s transaction (so a failed
        commit leaves the code usable); ``writes``: the use may join the command's write batch."""
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


class TierDesk(Protocol):
    """The member's tier (loyalty): benefits at the counter, and changes a purchase causes."""

    def benefits(
        self, conn: Connection, *, alliance_id: str, member_id: str, merchant_id: str, at: datetime
    ) -> TierBenefits: ...

    def after_purchase(
        self,
        conn: Connection,
        *,
        alliance_id: str,
        member_id: str,
        purchase_id: str,
        growth: int,
        at: datetime,
        ready: Callable[[], None],
    ) -> TierChange | None:
        """In the commit's transaction, after growth was granted: an upgrade happens at once.

        ``ready`` writes the purchase's ledger entries so far (the commit keeps them for its last
        statement): call it before reading the member's growth."""
        ...

    def after_refund(
        self,
        conn: Connection,
        *,
        alliance_id: str,
        member_id: str,
        purchase_id: str,
        growth_reversed: int,
        final: bool,
        at: datetime,
    ) -> TierChange | None:
        """In the refund's transaction, after growth was taken back (the alliance's policy)."""
        ...


class CouponDesk(Protocol):
    """The member's coupons (rewards). ``amount_fen`` is the bill after the tier/member discount."""

    def offers(
        self,
        conn: Connection,
        *,
        alliance_id: str,
        member_id: str,
        merchant_id: str,
        store_id: str,
        amount_fen: int,
        at: datetime,
    ) -> tuple[CouponOffer, ...]:
        """The member's coupons judged for this bill, best first, with why the others don't apply."""
        ...

    def judge(
        self,
        conn: Connection,
        *,
        alliance_id: str,
        member_id: str,
        coupon_id: str,
        merchant_id: str,
        store_id: str,
        amount_fen: int,
        at: datetime,
        lock: bool,
    ) -> CouponOffer:
        """One coupon for this bill (``lock``: at commit, under the coupon's row lock)."""
        ...

    def use(
        self,
        conn: Connection,
        *,
        alliance_id: str,
        member_id: str,
        coupon: CouponOffer,
        merchant_id: str,
        store_id: str,
        purchase_id: str,
        at: datetime,
    ) -> AppliedCoupon:
        """Use it once, in the commit's transaction (a conditional update), with its funding."""
        ...

    def on_refund(
        self,
        conn: Connection,
        *,
        alliance_id: str,
        purchase_id: str,
        coupon_id: str,
        refund_id: str,
        final: bool,
        at: datetime,
    ) -> bool:
        """A refund of a purchase that used ``coupon_id``: True when the coupon went back."""
        ...


class WalletDesk(Protocol):
    """The member's stored value (loyalty, in the ledger's FEN accounts)."""

    def balance(self, conn: Connection, *, alliance_id: str, member_id: str, lock: bool) -> WalletBalance: ...

    def split(
        self, conn: Connection, *, alliance_id: str, balance: WalletBalance, amount_fen: int
    ) -> WalletSplit:
        """How ``amount_fen`` (≤ the balance) is taken from principal and bonus, and what earns."""
        ...

    def pay(
        self,
        conn: Connection,
        *,
        alliance_id: str,
        member_id: str,
        merchant_id: str,
        purchase_id: str,
        split: WalletSplit,
        at: datetime,
    ) -> str:
        """The ledger entry paying ``split`` to the merchant, in the commit's transaction."""
        ...

    def give_back(
        self,
        conn: Connection,
        *,
        alliance_id: str,
        member_id: str,
        merchant_id: str,
        purchase_id: str,
        refund_id: str,
        principal_fen: int,
        bonus_fen: int,
        at: datetime,
    ) -> str:
        """The ledger entry returning a refund's wallet parts to the member."""
        ...


class NoTiers:
    """No tiers: no benefits, no changes."""

    def benefits(self, conn: Connection, **_: object) -> TierBenefits:
        return NO_TIER

    def after_purchase(self, conn: Connection, **_: object) -> TierChange | None:
        return None

    def after_refund(self, conn: Connection, **_: object) -> TierChange | None:
        return None


class NoCoupons:
    """No coupons: nothing to offer; a coupon id is unknown."""

    def offers(self, conn: Connection, **_: object) -> tuple[CouponOffer, ...]:
        return ()

    def judge(self, conn: Connection, *, coupon_id: str, **_: object) -> CouponOffer:
        from guildcard.counter.domain.errors import CouponNotUsable  # noqa: PLC0415 - avoids a cycle

        raise CouponNotUsable(coupon_id=coupon_id, reason="unknown")

    def use(self, conn: Connection, *, coupon: CouponOffer, **_: object) -> AppliedCoupon:
        return AppliedCoupon(coupon.coupon_id, coupon.title, coupon.discount_fen)

    def on_refund(self, conn: Connection, **_: object) -> bool:
        return False


class NoWallet:
    """No stored value: an empty wallet that can't pay."""

    def balance(self, conn: Connection, **_: object) -> WalletBalance:
        return NO_WALLET

    def split(self, conn: Connection, *, amount_fen: int, **_: object) -> WalletSplit:
        return WalletSplit(principal_fen=amount_fen, earning_fen=amount_fen)

    def pay(self, conn: Connection, **_: object) -> str:
        raise AssertionError("an empty wallet never pays: pricing refuses first")

    def give_back(self, conn: Connection, **_: object) -> str:
        raise AssertionError("nothing was paid from an empty wallet")


@dataclass(frozen=True)
class CounterPorts:
    members: MemberDirectory
    merchants: MerchantDirectory
    issuance: IssuanceGuard
    tiers: TierDesk = field(default_factory=NoTiers)
    coupons: CouponDesk = field(default_factory=NoCoupons)
    wallet: WalletDesk = field(default_factory=NoWallet)
