"""Tiers for the entry points: the operators' design and floors, the evaluation job, reads.

Errors raised: ``TierSchemeInvalid`` (design, floors), ``TiersNotAllowed`` (anyone but an
operator or the system), ``IdempotencyConflict`` (every write).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from guildcard.db.engine import Database
from guildcard.kernel.actors import Actor, ActorKind, system_actor
from guildcard.kernel.clock import Clock, ensure_utc
from guildcard.loyalty import tier_codec, tier_queries
from guildcard.loyalty.domain.tiers import Tier, TierChange, TierScheme
from guildcard.loyalty.handlers import handlers
from guildcard.loyalty.service import Written
from guildcard.loyalty.tier_handlers import (
    DesignTiers,
    EvaluateTiers,
    EvaluationResult,
    ReevaluateMember,
    SetTierFloor,
)
from guildcard.loyalty.tier_queries import TierStanding
from guildcard.pipeline import Command, CommandBus


class TierService:
    def __init__(self, database: Database, clock: Clock, *, bus: CommandBus | None = None) -> None:
        self.database = database
        self.clock = clock
        self.bus = bus or CommandBus(database, clock, [handlers])

    # --- reads -------------------------------------------------------------------------

    def scheme(self, *, alliance_id: str) -> TierScheme:
        with self.database.read() as conn:
            return tier_queries.scheme_of(conn, alliance_id)

    def tier_of(self, *, alliance_id: str, member_id: str) -> Tier:
        with self.database.read() as conn:
            return tier_queries.tier_of(conn, alliance_id, member_id, at=self.clock.now())

    def standing(self, *, alliance_id: str, member_id: str) -> TierStanding:
        with self.database.read() as conn:
            return tier_queries.standing(conn, alliance_id, member_id, at=self.clock.now())

    def members_by_tier(self, *, alliance_id: str) -> dict[str, int]:
        with self.database.read() as conn:
            return tier_queries.members_by_tier(conn, alliance_id)

    def history(self, *, alliance_id: str, member_id: str) -> list[dict[str, Any]]:
        with self.database.read() as conn:
            return tier_queries.history(conn, alliance_id, member_id)

    def growth_entries(self, *, alliance_id: str, member_id: str) -> list[tier_queries.GrowthEntry]:
        """The member's growth list (成长值明细), the latest 50, newest first."""
        with self.database.read() as conn:
            return tier_queries.growth_entries(conn, alliance_id, member_id)

    def preview(
        self, *, alliance_id: str, scheme: Mapping[str, Any] | TierScheme, members_total: int | None = None
    ) -> dict[str, int]:
        """Members per tier today if ``scheme`` were saved (validated first)."""
        design = scheme if isinstance(scheme, TierScheme) else tier_codec.scheme_from_dict(scheme)
        with self.database.read() as conn:
            return tier_queries.preview_counts(
                conn, alliance_id, design, at=self.clock.now(), members_total=members_total
            )

    # --- writes ------------------------------------------------------------------------

    def design(
        self, *, alliance_id: str, scheme: Mapping[str, Any], actor_id: str, idempotency_key: str
    ) -> Written[TierScheme]:
        return self._run(
            _operator(alliance_id, actor_id),
            DesignTiers(scheme=dict(scheme), idempotency_key=idempotency_key),
        )

    def set_floor(
        self, *, alliance_id: str, member_id: str, tier: str, ends_at: datetime, reason: str, actor_id: str,
        idempotency_key: str,
    ) -> Written[TierChange | None]:  # fmt: skip
        command = SetTierFloor(
            member_id=member_id,
            tier=tier,
            ends_at=ensure_utc(ends_at),
            reason=reason,
            idempotency_key=idempotency_key,
        )
        return self._run(_operator(alliance_id, actor_id), command)

    def reevaluate(
        self,
        *,
        alliance_id: str,
        member_id: str,
        actor_id: str,
        idempotency_key: str,
        as_of: date | None = None,
    ) -> Written[TierChange | None]:
        command = ReevaluateMember(member_id=member_id, as_of=as_of, idempotency_key=idempotency_key)
        return self._run(_operator(alliance_id, actor_id), command)

    def evaluate(self, *, alliance_id: str, as_of: date) -> Written[EvaluationResult]:
        """The period-end job; its key is the date, so running it again replays the first result."""
        command = EvaluateTiers(as_of=as_of, idempotency_key=f"evaluate-tiers:{as_of.isoformat()}")
        return self._run(system_actor(alliance_id, "jobs"), command)

    def _run(self, actor: Actor, command: Command) -> Written[Any]:
        outcome = self.bus.execute(actor, command)
        return Written(outcome.value, replayed=outcome.replayed)


def _operator(alliance_id: str, actor_id: str) -> Actor:
    return Actor(ActorKind.OPERATOR, actor_id, alliance_id)
