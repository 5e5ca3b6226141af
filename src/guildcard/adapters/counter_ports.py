"""The counter's ports, implemented with members, alliance and settlement.

Each method works on the connection the counter hands it (its command's or its read's),
reading the other context through that context's queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Connection

from guildcard.adapters.coupon_desk import RewardsCouponDesk
from guildcard.adapters.loyalty_desks import LoyaltyTierDesk, LoyaltyWalletDesk
from guildcard.adapters.rewards_ports import PlacesFromAlliance
from guildcard.alliance import queries as alliance
from guildcard.alliance.domain.contracts import ContractTerms, ContractVersion, version_in_force
from guildcard.alliance.domain.errors import MerchantSuspended
from guildcard.counter.domain.errors import StoreNotFound
from guildcard.counter.ports import CounterPorts, CounterTerms, MemberRef, StoreRef
from guildcard.db.batch import WriteBatch
from guildcard.members.counter_lookup import CounterLookup
from guildcard.members.domain.model import Member
from guildcard.settlement import queries as settlement

# Operators (manual adjustments) see members as the alliance does, not as a merchant.
_ALLIANCE_VIEWER = "alliance"


class MembersForCounter:
    """Member codes and phone look-ups, shown to the merchant as members allow."""

    def __init__(self, lookup: CounterLookup) -> None:
        self._lookup = lookup

    def _ref(
        self, conn: Connection, found: Member, merchant_id: str | None, shares: bool | None = None
    ) -> MemberRef:
        view = self._lookup.view_of(conn, found, merchant_id or _ALLIANCE_VIEWER, shares=shares)
        display = f"{view.label} {view.phone_masked}" if view.shared and view.phone_masked else view.label
        return MemberRef(member_id=found.member_id, display=display)

    def redeem_member_code(
        self, conn: Connection, alliance_id: str, code: str, now: datetime, *, merchant_id: str | None = None,
        writes: WriteBatch | None = None,
    ) -> MemberRef:  # fmt: skip
        holder = self._lookup.redeem(conn, alliance_id, code, now, writes)
        return self._ref(conn, holder.member, merchant_id, holder.shares)

    def peek_member_code(
        self, conn: Connection, alliance_id: str, code: str, now: datetime, *, merchant_id: str | None = None
    ) -> MemberRef:
        holder = self._lookup.peek(conn, alliance_id, code, now)
        return self._ref(conn, holder.member, merchant_id, holder.shares)

    def lookup_by_phone_for_counter(
        self, conn: Connection, alliance_id: str, phone: str, *, merchant_id: str | None = None
    ) -> MemberRef:
        member, shares = self._lookup.by_phone_sharing(conn, alliance_id, phone)
        return self._ref(conn, member, merchant_id, shares)

    def get(
        self, conn: Connection, alliance_id: str, member_id: str, *, merchant_id: str | None = None
    ) -> MemberRef:
        return self._ref(conn, self._lookup.member(conn, alliance_id, member_id), merchant_id)


class MerchantsForCounter:
    """Stores with their merchant, and the contract terms in force, from the alliance context."""

    def store(self, conn: Connection, alliance_id: str, store_id: str) -> StoreRef:
        found = alliance.open_store(conn, alliance_id, store_id)
        if found is None:
            raise StoreNotFound(store_id=store_id)
        return StoreRef(
            found.store_id,
            found.merchant_id,
            found.merchant_name,
            found.trade_category,
            found.merchant_active,
        )

    def terms_in_force(
        self, conn: Connection, alliance_id: str, merchant_id: str, at: datetime
    ) -> CounterTerms:
        return _counter_terms(alliance.terms_in_force(conn, alliance_id, merchant_id, at))

    def terms_schedule(self, conn: Connection, alliance_id: str, merchant_id: str) -> TermsSchedule:
        """Every contract version of the merchant (changes bump the "terms" version: cacheable)."""
        return TermsSchedule(tuple(alliance.contract_versions(conn, alliance_id, merchant_id)))

    def require_active(self, store: StoreRef) -> None:
        if not store.active:
            raise MerchantSuspended(merchant_id=store.merchant_id)


def _counter_terms(terms: ContractTerms) -> CounterTerms:
    # The contract states the discount (0.05 = 5 % off); the counter multiplies (0.95).
    return CounterTerms(
        points_per_yuan=terms.points_per_yuan, member_discount=Decimal(1) - terms.member_discount
    )


@dataclass(frozen=True)
class TermsSchedule:
    """A merchant's contract versions; the counter's terms at any moment."""

    versions: tuple[ContractVersion, ...]

    def at(self, moment: datetime) -> CounterTerms:
        return _counter_terms(version_in_force(self.versions, moment).terms)


class IssuanceLimits:
    def limited_merchants(self, conn: Connection, alliance_id: str) -> frozenset[str]:
        return settlement.limited_merchants(conn, alliance_id)

    def check_issuance(
        self, conn: Connection, alliance_id: str, merchant_id: str, points: int, at: datetime
    ) -> None:
        settlement.check_issuance(conn, alliance_id, merchant_id, points, at)


def counter_ports(lookup: CounterLookup) -> CounterPorts:
    return CounterPorts(
        members=MembersForCounter(lookup), merchants=MerchantsForCounter(), issuance=IssuanceLimits(),
        tiers=LoyaltyTierDesk(), wallet=LoyaltyWalletDesk(), coupons=RewardsCouponDesk(PlacesFromAlliance()),
    )  # fmt: skip
