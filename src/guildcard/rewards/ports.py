"""What the rewards context needs from other contexts, as Protocols (implemented in ``adapters/``).

Every method takes the connection of the command or read that calls it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy import Connection

from guildcard.rewards.domain.coupons import MemberFacts, Place


class MemberFactsSource(Protocol):
    def facts(self, conn: Connection, alliance_id: str, member_id: str) -> MemberFacts:
        """The member's registration time and tier; raises ``CouponNotFound``-like errors of members."""
        ...


class PlaceSource(Protocol):
    def place(self, conn: Connection, alliance_id: str, store_id: str) -> Place:
        """The store's merchant and trade (raises when there is no such open store)."""
        ...


class NoFacts:
    """Until an adapter is wired: every member registered long ago, no tier."""

    def facts(self, conn: Connection, alliance_id: str, member_id: str) -> MemberFacts:
        return MemberFacts(member_id, datetime(2000, 1, 1).astimezone())


class AudienceSource(Protocol):
    def members(
        self,
        conn: Connection,
        alliance_id: str,
        *,
        tier_code: str | None,
        segment_id: str | None,
        at: datetime,
    ) -> list[str] | None:
        """The member ids of a tier (in effect at ``at``) or of a saved segment; None: no such one."""
        ...


class NoAudiences:
    """Until an adapter is wired: no tier or segment is known."""

    def members(
        self,
        conn: Connection,
        alliance_id: str,
        *,
        tier_code: str | None,
        segment_id: str | None,
        at: datetime,
    ) -> list[str] | None:
        return None


@dataclass(frozen=True)
class RewardsPorts:
    members: MemberFactsSource = field(default_factory=NoFacts)
    places: PlaceSource | None = None
    audiences: AudienceSource = field(default_factory=NoAudiences)
