"""The members context's ``HoldingsCarrier``s: what loyalty, rewards and insights hold of a member,
moved by a merge (and back by its undo) in the merge's one transaction, each by its own context's
module. Each carrier translates its context's "cannot move back" into ``CarryRefused``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from guildcard.insights import member_merge as insights
from guildcard.loyalty import member_merge as loyalty
from guildcard.members.ports import Carried, CarryRefused, HoldingsCarrier, MergeScope
from guildcard.rewards import member_merge as rewards


def _reference(scope: MergeScope, undo: bool) -> str:
    return f"{'unmerge' if undo else 'merge'}:{scope.merge_id}"


@dataclass(frozen=True)
class WalletCarrier:
    name: str = "wallet"

    def carry(self, scope: MergeScope) -> Carried:
        record = loyalty.carry_wallet(
            scope.connection, scope.ledger, scope.alliance_id, source=scope.source, target=scope.target,
            reference=_reference(scope, False),
        )  # fmt: skip
        return Carried({"wallet_fen": record["principal"] + record["bonus"]}, record)

    def restore(self, scope: MergeScope, record: dict[str, Any]) -> dict[str, int]:
        try:
            fen = loyalty.restore_wallet(
                scope.connection, scope.ledger, scope.alliance_id, source=scope.source, target=scope.target,
                reference=_reference(scope, True), record=record,
            )  # fmt: skip
        except loyalty.CannotMoveBack as gone:
            raise CarryRefused(str(gone)) from gone
        return {"wallet_fen": fen}


@dataclass(frozen=True)
class CardsAndTierCarrier:
    name: str = "cards_tier"

    def carry(self, scope: MergeScope) -> Carried:
        record = loyalty.carry_cards_and_tier(
            scope.connection, scope.alliance_id, source=scope.source, target=scope.target, now=scope.now,
            actor_id=scope.actor_id, reference=_reference(scope, False),
        )  # fmt: skip
        return Carried({"cards": len(record["cards"])}, record)

    def restore(self, scope: MergeScope, record: dict[str, Any]) -> dict[str, int]:
        cards = loyalty.restore_cards_and_tier(
            scope.connection, scope.alliance_id, source=scope.source, target=scope.target, now=scope.now,
            actor_id=scope.actor_id, reference=_reference(scope, True), record=record,
        )  # fmt: skip
        return {"cards": cards}


@dataclass(frozen=True)
class CouponsCarrier:
    name: str = "coupons"

    def carry(self, scope: MergeScope) -> Carried:
        record = rewards.carry_coupons(
            scope.connection, scope.alliance_id, source=scope.source, target=scope.target
        )
        return Carried({"coupons": len(record["coupons"])}, record)

    def restore(self, scope: MergeScope, record: dict[str, Any]) -> dict[str, int]:
        try:
            n = rewards.restore_coupons(
                scope.connection, scope.alliance_id, source=scope.source, target=scope.target, record=record
            )
        except rewards.CannotMoveBack as gone:
            raise CarryRefused(str(gone)) from gone
        return {"coupons": n}


@dataclass(frozen=True)
class ReferralsCarrier:
    name: str = "referrals"

    def carry(self, scope: MergeScope) -> Carried:
        record = rewards.carry_referrals(
            scope.connection, scope.alliance_id, source=scope.source, target=scope.target
        )
        return Carried({"referrals": len(record["invitees"]) + bool(record["invited"])}, record)

    def restore(self, scope: MergeScope, record: dict[str, Any]) -> dict[str, int]:
        n = rewards.restore_referrals(
            scope.connection, scope.alliance_id, source=scope.source, target=scope.target, record=record
        )
        return {"referrals": n}


@dataclass(frozen=True)
class TagsCarrier:
    name: str = "tags"

    def carry(self, scope: MergeScope) -> Carried:
        record = insights.carry_tags(
            scope.connection, scope.alliance_id, source=scope.source, target=scope.target, now=scope.now,
            actor_id=scope.actor_id,
        )  # fmt: skip
        return Carried({"tags": len(record["tags"])}, record)

    def restore(self, scope: MergeScope, record: dict[str, Any]) -> dict[str, int]:
        n = insights.restore_tags(
            scope.connection, scope.alliance_id, source=scope.source, target=scope.target, now=scope.now,
            actor_id=scope.actor_id, record=record,
        )  # fmt: skip
        return {"tags": n}


def merge_carriers() -> tuple[HoldingsCarrier, ...]:
    """In this order: the wallet, cards then the tier, coupons, referrals, tags (an undo: reversed)."""
    return (WalletCarrier(), CardsAndTierCarrier(), CouponsCarrier(), ReferralsCarrier(), TagsCarrier())
