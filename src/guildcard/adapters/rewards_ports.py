"""The rewards context's ports, implemented with members (facts about a member) and alliance (stores)."""

from __future__ import annotations

from sqlalchemy import Connection

from guildcard.alliance import queries as alliance
from guildcard.kernel.clock import Clock
from guildcard.loyalty import tier_queries
from guildcard.members.counter_lookup import CounterLookup
from guildcard.members.errors import MemberNotFound
from guildcard.rewards.domain.coupons import MemberFacts, Place, StoreUnknown
from guildcard.rewards.ports import RewardsPorts


class TierFromLoyalty:
    """``RewardsDeps.tier_of``: the code of the member's tier in effect now (loyalty's read query)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def __call__(self, conn: Connection, alliance_id: str, member_id: str) -> str | None:
        return tier_queries.tier_of(conn, alliance_id, member_id, at=self._clock.now()).code


class MemberFactsFromMembers:
    def __init__(self, lookup: CounterLookup, tier_of: TierFromLoyalty | None = None) -> None:
        self._lookup = lookup
        self._tier_of = tier_of

    def facts(self, conn: Connection, alliance_id: str, member_id: str) -> MemberFacts:
        found = self._lookup.member(conn, alliance_id, member_id)
        if not found.is_active:
            raise MemberNotFound()
        tier = self._tier_of(conn, alliance_id, member_id) if self._tier_of is not None else None
        return MemberFacts(found.member_id, found.registered_at, tier, found.profile.birthday)


class PlacesFromAlliance:
    def place(self, conn: Connection, alliance_id: str, store_id: str) -> Place:
        found = alliance.open_store(conn, alliance_id, store_id)
        if found is None:
            raise StoreUnknown(store_id=store_id)
        return Place(found.store_id, found.merchant_id, found.trade_category)


def rewards_ports(lookup: CounterLookup, tier_of: TierFromLoyalty | None = None) -> RewardsPorts:
    return RewardsPorts(members=MemberFactsFromMembers(lookup, tier_of), places=PlacesFromAlliance())
