"""In-memory fakes of the counter's ports (members, alliance, settlement, tiers, coupons, wallet).

The real adapters are ``guildcard.adapters.counter_ports``; the API tests and the benchmark use
those. These raise the owning contexts' errors, as the real adapters do, and ignore the
connection they are given.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import Connection

from guildcard.alliance.domain.errors import MerchantSuspended
from guildcard.counter.domain.errors import CouponNotUsable, StoreNotFound
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
from guildcard.counter.ports import CounterPorts, CounterTerms, MemberRef, StoreRef
from guildcard.members.errors import LookupNotAllowed, MemberCodeInvalid, MemberNotFound
from guildcard.settlement.domain.errors import IssuanceLimitExceeded


@dataclass
class _Code:
    member_id: str
    expires_at: datetime | None  # None: never expires, reusable
    used: bool = False


class InMemoryMembers:
    def __init__(self) -> None:
        self.members: dict[tuple[str, str], MemberRef] = {}
        self.phones: dict[tuple[str, str], tuple[str, bool]] = {}  # -> (member_id, consented)
        self.codes: dict[tuple[str, str], _Code] = {}

    def add(
        self, alliance_id: str, member: MemberRef, *, phone: str | None = None, consent: bool = True
    ) -> None:
        self.members[(alliance_id, member.member_id)] = member
        if phone:
            self.phones[(alliance_id, phone)] = (member.member_id, consent)

    def issue_code(
        self, alliance_id: str, member_id: str, code: str, *, expires_at: datetime | None = None
    ) -> str:
        self.codes[(alliance_id, code)] = _Code(member_id, expires_at)
        return code

    def redeem_member_code(
        self, conn: Connection, alliance_id: str, code: str, now: datetime, *, merchant_id: str | None = None,
        writes: object = None,
    ) -> MemberRef:  # fmt: skip
        found = self._valid(alliance_id, code, now)
        if found.expires_at is not None:  # rotating codes are single-use
            found.used = True
        return self.get(conn, alliance_id, found.member_id)

    def peek_member_code(
        self, conn: Connection, alliance_id: str, code: str, now: datetime, *, merchant_id: str | None = None
    ) -> MemberRef:
        return self.get(conn, alliance_id, self._valid(alliance_id, code, now).member_id)

    def _valid(self, alliance_id: str, code: str, now: datetime) -> _Code:
        found = self.codes.get((alliance_id, code))
        if found is None or found.used or (found.expires_at is not None and found.expires_at <= now):
            raise MemberCodeInvalid()
        return found

    def lookup_by_phone_for_counter(
        self, conn: Connection, alliance_id: str, phone: str, *, merchant_id: str | None = None
    ) -> MemberRef:
        entry = self.phones.get((alliance_id, phone))
        if entry is None:
            raise MemberNotFound()
        if not entry[1]:
            raise LookupNotAllowed()
        return self.get(conn, alliance_id, entry[0])

    def get(
        self, conn: Connection, alliance_id: str, member_id: str, *, merchant_id: str | None = None
    ) -> MemberRef:
        member = self.members.get((alliance_id, member_id))
        if member is None:
            raise MemberNotFound(member_id=member_id)
        return member


@dataclass
class _Merchant:
    name: str
    terms: list[tuple[datetime, CounterTerms]] = field(default_factory=list)
    suspended: bool = False


class InMemoryMerchants:
    def __init__(self) -> None:
        self.merchants: dict[tuple[str, str], _Merchant] = {}
        self.stores: dict[tuple[str, str], StoreRef] = {}

    def add_merchant(
        self,
        alliance_id: str,
        merchant_id: str,
        *,
        name: str,
        terms: CounterTerms,
        since: datetime,
        stores: tuple[str, ...] = (),
        trade_category: str = "",
    ) -> None:
        self.merchants[(alliance_id, merchant_id)] = _Merchant(name, [(since, terms)])
        for store_id in stores:
            self.stores[(alliance_id, store_id)] = StoreRef(store_id, merchant_id, name, trade_category)

    def set_terms(self, alliance_id: str, merchant_id: str, terms: CounterTerms, *, since: datetime) -> None:
        self.merchants[(alliance_id, merchant_id)].terms.append((since, terms))

    def suspend(self, alliance_id: str, merchant_id: str, suspended: bool = True) -> None:
        self.merchants[(alliance_id, merchant_id)].suspended = suspended

    def store(self, conn: Connection, alliance_id: str, store_id: str) -> StoreRef:
        found = self.stores.get((alliance_id, store_id))
        if found is None:
            raise StoreNotFound(store_id=store_id)
        active = not self.merchants[(alliance_id, found.merchant_id)].suspended
        return replace(found, active=active)

    def terms_in_force(
        self, conn: Connection, alliance_id: str, merchant_id: str, at: datetime
    ) -> CounterTerms:
        history = sorted(self.merchants[(alliance_id, merchant_id)].terms, key=lambda item: item[0])
        in_force = [terms for since, terms in history if since <= at]
        return in_force[-1] if in_force else history[0][1]

    def require_active(self, store: StoreRef) -> None:
        if not store.active:
            raise MerchantSuspended(merchant_id=store.merchant_id)


class NoIssuanceLimit:
    """Allows every award; ``limits`` (merchant -> points per call) makes it refuse, for tests."""

    def __init__(self) -> None:
        self.limits: dict[tuple[str, str], int] = {}

    def limited_merchants(self, conn: Connection, alliance_id: str) -> frozenset[str]:
        return frozenset(merchant for alliance, merchant in self.limits if alliance == alliance_id)

    def check_issuance(
        self, conn: Connection, alliance_id: str, merchant_id: str, points: int, at: datetime
    ) -> None:
        limit = self.limits.get((alliance_id, merchant_id))
        if limit is not None and points > limit:
            raise IssuanceLimitExceeded(merchant_id=merchant_id, points=points, limit=limit)


@dataclass
class InMemoryTiers:
    """Members at a tier with benefits; crossing ``upgrade_at`` growth moves them up."""

    benefits_of: dict[str, TierBenefits] = field(default_factory=dict)
    growth: dict[str, int] = field(default_factory=dict)
    upgrade_at: int | None = None
    upgrade_to: TierBenefits | None = None

    def benefits(self, conn: Connection, *, member_id: str, **_: object) -> TierBenefits:
        return self.benefits_of.get(member_id, NO_TIER)

    def after_purchase(
        self, conn: Connection, *, member_id: str, growth: int, **_: object
    ) -> TierChange | None:
        before = self.growth.get(member_id, 0)
        self.growth[member_id] = before + growth
        if (
            self.upgrade_at is None
            or self.upgrade_to is None
            or not before < self.upgrade_at <= before + growth
        ):
            return None
        old = self.benefits_of.get(member_id, NO_TIER).tier_code
        self.benefits_of[member_id] = self.upgrade_to
        return TierChange(old, self.upgrade_to.tier_code, self.upgrade_to.tier_name, "purchase")

    def after_refund(
        self, conn: Connection, *, member_id: str, growth_reversed: int, **_: object
    ) -> TierChange | None:
        self.growth[member_id] = self.growth.get(member_id, 0) - growth_reversed
        return None


@dataclass
class InMemoryCoupons:
    """Coupons of a fixed amount off above a threshold; each usable once, back on a full refund."""

    coupons: dict[str, tuple[str, str, int, int, bool]] = field(default_factory=dict)  # id -> owner...
    used: dict[str, str] = field(default_factory=dict)  # coupon -> purchase

    def add(self, coupon_id: str, member_id: str, title: str, off_fen: int, *, threshold_fen: int = 0,
            stacks: bool = True) -> None:  # fmt: skip
        self.coupons[coupon_id] = (member_id, title, off_fen, threshold_fen, stacks)

    def _judge(self, coupon_id: str, member_id: str, amount_fen: int) -> CouponOffer:
        owner, title, off, threshold, stacks = self.coupons[coupon_id]
        reason = None
        if owner != member_id:
            reason = "not_yours"
        elif coupon_id in self.used:
            reason = "used"
        elif amount_fen < threshold:
            reason = "below_threshold"
        return CouponOffer(coupon_id, title, 0 if reason else off, reason is None, reason, stacks)

    def offers(
        self, conn: Connection, *, member_id: str, amount_fen: int, **_: object
    ) -> tuple[CouponOffer, ...]:
        judged = [self._judge(c, member_id, amount_fen) for c, v in self.coupons.items() if v[0] == member_id]
        return tuple(sorted(judged, key=lambda o: (not o.usable, -o.discount_fen)))

    def judge(
        self, conn: Connection, *, coupon_id: str, member_id: str, amount_fen: int, **_: object
    ) -> CouponOffer:
        if coupon_id not in self.coupons:
            raise CouponNotUsable(coupon_id=coupon_id, reason="unknown")
        offer = self._judge(coupon_id, member_id, amount_fen)
        if not offer.usable:
            raise CouponNotUsable(coupon_id=coupon_id, reason=offer.reason)
        return offer

    def use(self, conn: Connection, *, coupon: CouponOffer, purchase_id: str, **_: object) -> AppliedCoupon:
        self.used[coupon.coupon_id] = purchase_id
        return AppliedCoupon(coupon.coupon_id, coupon.title, coupon.discount_fen)

    def on_refund(self, conn: Connection, *, coupon_id: str, final: bool, **_: object) -> bool:
        if final:
            self.used.pop(coupon_id, None)
        return final


@dataclass
class InMemoryWallet:
    """Principal first, then bonus; only the principal earns points."""

    balances: dict[str, WalletBalance] = field(default_factory=dict)
    payments: list[tuple[str, str, int, int]] = field(default_factory=list)  # member, merchant, parts

    def balance(self, conn: Connection, *, member_id: str, **_: object) -> WalletBalance:
        return self.balances.get(member_id, NO_WALLET)

    def split(self, conn: Connection, *, balance: WalletBalance, amount_fen: int, **_: object) -> WalletSplit:
        principal = min(amount_fen, balance.principal_fen)
        return WalletSplit(principal, amount_fen - principal, principal)

    def pay(
        self, conn: Connection, *, member_id: str, merchant_id: str, split: WalletSplit, **_: object
    ) -> str:
        b = self.balance(conn, member_id=member_id)
        self.balances[member_id] = WalletBalance(
            b.principal_fen - split.principal_fen, b.bonus_fen - split.bonus_fen
        )
        self.payments.append((member_id, merchant_id, split.principal_fen, split.bonus_fen))
        return f"ent_wallet_{len(self.payments)}"

    def give_back(
        self, conn: Connection, *, member_id: str, merchant_id: str, principal_fen: int, bonus_fen: int,
        **_: object,
    ) -> str:  # fmt: skip
        b = self.balance(conn, member_id=member_id)
        self.balances[member_id] = WalletBalance(b.principal_fen + principal_fen, b.bonus_fen + bonus_fen)
        self.payments.append((member_id, merchant_id, -principal_fen, -bonus_fen))
        return f"ent_wallet_{len(self.payments)}"


@dataclass
class InMemoryPorts:
    members: InMemoryMembers = field(default_factory=InMemoryMembers)
    merchants: InMemoryMerchants = field(default_factory=InMemoryMerchants)
    issuance: NoIssuanceLimit = field(default_factory=NoIssuanceLimit)
    tiers: InMemoryTiers = field(default_factory=InMemoryTiers)
    coupons: InMemoryCoupons = field(default_factory=InMemoryCoupons)
    wallet: InMemoryWallet = field(default_factory=InMemoryWallet)

    def ports(self) -> CounterPorts:
        return CounterPorts(
            self.members, self.merchants, self.issuance, self.tiers, self.coupons, self.wallet
        )
