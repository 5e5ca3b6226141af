"""Who may see and do what in insights: operators everything in their alliance; a merchant's
owners and managers their own merchant's figures (others only in aggregates of >= 5 members)."""

from __future__ import annotations

from guildcard.insights.domain.errors import InsightsNotAllowed
from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.permissions import Perm, allows

MERCHANT_ROLES = ("owner", "manager")
MIN_GROUP = 5  # a merchant sees other merchants' members only in groups at least this large


def sees_all(actor: Actor) -> bool:
    return actor.is_operator() or actor.kind is ActorKind.SYSTEM


def require_operator(actor: Actor) -> None:
    if not sees_all(actor):
        raise InsightsNotAllowed()


def require_merchant(actor: Actor, merchant_id: str) -> None:
    if not (sees_all(actor) or actor.is_staff_of(merchant_id, *MERCHANT_ROLES)):
        raise InsightsNotAllowed()


def may_report_for(actor: Actor, merchant_id: str, store_id: str) -> bool:
    if sees_all(actor) or actor.is_staff_of(merchant_id, *MERCHANT_ROLES):
        return True
    return actor.kind is ActorKind.POS and actor.merchant_id == merchant_id and store_id in actor.store_ids


def may_record_sale_at(actor: Actor, merchant_id: str, store_id: str) -> bool:
    """A non-member sale: whoever may report for the store, and a cashier at a store they work at."""
    if may_report_for(actor, merchant_id, store_id):
        return True
    return actor.is_staff_of(merchant_id) and allows(actor, Perm.COUNTER_SELL) and store_id in actor.store_ids
