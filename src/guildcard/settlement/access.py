"""Who may see and do what in settlement: operators everything in their alliance; merchant
owners and managers their own statements only. Anything else looks like it does not exist."""

from __future__ import annotations

from guildcard.kernel.actors import Actor, ActorKind
from guildcard.settlement.domain.errors import NotAllowed, StatementNotFound

MERCHANT_ROLES = ("owner", "manager")


def require_operator(actor: Actor) -> None:
    if not (actor.is_operator() or actor.kind is ActorKind.SYSTEM):
        raise NotAllowed()


def sees_all(actor: Actor) -> bool:
    return actor.is_operator() or actor.kind is ActorKind.SYSTEM


def visible_merchants(actor: Actor, merchant_ids: list[str]) -> list[str]:
    if sees_all(actor):
        return merchant_ids
    return [m for m in merchant_ids if actor.is_staff_of(m, *MERCHANT_ROLES)]


def require_merchant(actor: Actor, merchant_id: str) -> None:
    """Cross-tenant or another merchant's statement: not found (its existence is not disclosed)."""
    if not (sees_all(actor) or actor.is_staff_of(merchant_id, *MERCHANT_ROLES)):
        raise StatementNotFound()  # says nothing of the merchant asked about
