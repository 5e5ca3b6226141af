"""The members context's ``HoldingsCarrier``s: what loyalty, rewards and insights hold of a member,
moved by a merge (and back by its undo) in the merge's one transaction, each by its own context's
module. Each carrier translates its context's "cannot move back" into ``CarryRefused``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from guildcard.insights import member_merge as insights
from guildcard.loyalty import member_merge as loyalty
from guildcard.members.ports import Carried, CarryRefused, HoldingsCarrier, MergeScope
from guildcard.rewards import member_merge as rewards

Record = dict[str, Any]


@dataclass(frozen=True)
class ContextCarrier:
    name: str
    counted: str  # the key of its count in the audit line and the event
    move: Callable[[MergeScope], Record]
    move_back: Callable[[MergeScope, Record], int]
    count: Callable[[Record], int]
    refusal: type[Exception] = CarryRefused  # the context's "what moved is not all there"

    def carry(self, scope: MergeScope) -> Carried:
        record = self.move(scope)
        return Carried({self.counted: self.count(record)}, record)

    def restore(self, scope: MergeScope, record: Record) -> dict[str, int]:
        try:
            return {self.counted: self.move_back(scope, record)}
        except self.refusal as gone:
            raise CarryRefused(str(gone)) from gone


def _reference(scope: MergeScope, undo: bool) -> str:
    return f"{'unmerge' if undo else 'merge'}:{scope.merge_id}"


def _people(scope: MergeScope) -> dict[str, Any]:
    return {"source": scope.source, "target": scope.target}


def _acting(scope: MergeScope, undo: bool) -> dict[str, Any]:
    return _people(scope) | {
        "now": scope.now,
        "actor_id": scope.actor_id,
        "reference": _reference(scope, undo),
    }


def merge_carriers() -> tuple[HoldingsCarrier, ...]:
    """In this order: the wallet, cards then the tier, coupons, referrals, tags (an undo: reversed)."""
    return (
        ContextCarrier(
            "wallet", "wallet_fen",
            lambda s: loyalty.carry_wallet(
                s.connection, s.ledger, s.alliance_id, **_people(s), reference=_reference(s, False)
            ),
            lambda s, r: loyalty.restore_wallet(
                s.connection, s.ledger, s.alliance_id, **_people(s), reference=_reference(s, True), record=r
            ),
            lambda r: int(r["principal"]) + int(r["bonus"]),
            loyalty.CannotMoveBack,
        ),
        ContextCarrier(
            "cards_tier", "cards",
            lambda s: loyalty.carry_cards_and_tier(s.connection, s.alliance_id, **_acting(s, False)),
            lambda s, r: loyalty.restore_cards_and_tier(
                s.connection, s.alliance_id, **_acting(s, True), record=r
            ),
            lambda r: len(r["cards"]),
        ),
        ContextCarrier(
            "coupons", "coupons",
            lambda s: rewards.carry_coupons(s.connection, s.alliance_id, **_people(s)),
            lambda s, r: rewards.restore_coupons(s.connection, s.alliance_id, **_people(s), record=r),
            lambda r: len(r["coupons"]),
            rewards.CannotMoveBack,
        ),
        ContextCarrier(
            "referrals", "referrals",
            lambda s: rewards.carry_referrals(s.connection, s.alliance_id, **_people(s)),
            lambda s, r: rewards.restore_referrals(s.connection, s.alliance_id, **_people(s), record=r),
            lambda r: len(r["invitees"]) + bool(r["invited"]),
        ),
        ContextCarrier(
            "tags", "tags",
            lambda s: insights.carry_tags(
                s.connection, s.alliance_id, **_people(s), now=s.now, actor_id=s.actor_id
            ),
            lambda s, r: insights.restore_tags(
                s.connection, s.alliance_id, **_people(s), now=s.now, actor_id=s.actor_id, record=r
            ),
            lambda r: len(r["tags"]),
        ),
    )  # fmt: skip
