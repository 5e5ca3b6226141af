"""The rewards context's ports, implemented with members (facts about a member) and alliance (stores)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from guildcard.alliance import queries as alliance
from guildcard.insights.queries.members import alliance_segment_members
from guildcard.kernel.clock import Clock
from guildcard.loyalty import tier_queries
from guildcard.members import queries as member_queries
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


class AudiencesFromContexts:
    """A tier's members (loyalty's tier in effect over the members' list) or a saved segment's (insights)."""

    def members(
        self,
        conn: Connection,
        alliance_id: str,
        *,
        tier_code: str | None,
        segment_id: str | None,
        at: datetime,
    ) -> list[str] | None:
        if tier_code is not None:
            everyone = member_queries.active_member_ids(conn, alliance_id)
            return tier_queries.members_in_tier(conn, alliance_id, tier_code, everyone=everyone, at=at)
        if segment_id is not None:
            return alliance_segment_members(conn, alliance_id, segment_id)
        return None


def rewards_ports(lookup: CounterLookup, tier_of: TierFromLoyalty | None = None) -> RewardsPorts:
    return RewardsPorts(
        members=MemberFactsFromMembers(lookup, tier_of), places=PlacesFromAlliance(),
        audiences=AudiencesFromContexts(),
    )  # fmt: skip
