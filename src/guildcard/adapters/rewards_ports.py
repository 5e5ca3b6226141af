"""The rewards context's ports, implemented with members (facts about a member) and alliance (stores)."""

from __future__ import annotations

from sqlalchemy import Connection

from guildcard.alliance import queries as alliance
from guildcard.members.counter_lookup import CounterLookup
from guildcard.members.errors import MemberNotFound
from guildcard.rewards.domain.coupons import MemberFacts, Place, StoreUnknown
from guildcard.rewards.ports import RewardsPorts


class MemberFactsFromMembers:
    def __init__(self, lookup: CounterLookup) -> None:
        self._lookup = lookup

    def facts(self, conn: Connection, alliance_id: str, member_id: str) -> MemberFacts:
        found = self._lookup.member(conn, alliance_id, member_id)
        if not found.is_active:
            raise MemberNotFound()
        return MemberFacts(found.member_id, found.registered_at, None, found.profile.birthday)


class PlacesFromAlliance:
    def place(self, conn: Connection, alliance_id: str, store_id: str) -> Place:
        found = alliance.open_store(conn, alliance_id, store_id)
        if found is None:
            raise StoreUnknown(store_id=store_id)
        return Place(found.store_id, found.merchant_id, found.trade_category)


def rewards_ports(lookup: CounterLookup) -> RewardsPorts:
    return RewardsPorts(members=MemberFactsFromMembers(lookup), places=PlacesFromAlliance())
