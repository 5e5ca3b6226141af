"""Who may do what to which object: the product's one permission table
(``guildcard.kernel.permissions``) and the object check.

The check runs on the object itself (its alliance, merchant and store). Objects of another
alliance or another merchant are answered as not found, so their existence is not leaked;
visible objects that the role may not touch are answered as forbidden.
"""

from __future__ import annotations

from guildcard.alliance.domain.errors import Forbidden, ObjectNotFound
from guildcard.kernel import permissions
from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.permissions import Perm, permissions_of

__all__ = ["Perm", "authorize", "can_see", "permissions_of", "store_bound"]


def store_bound(actor: Actor) -> bool:
    """Cashiers and POS keys act only at their own stores."""
    return actor.kind is ActorKind.POS or (actor.kind is ActorKind.STAFF and actor.role == "cashier")


def can_see(
    actor: Actor, *, alliance_id: str, merchant_id: str | None = None, store_id: str | None = None
) -> bool:
    """Whether the object exists for this actor at all (tenant, merchant, store)."""
    if actor.alliance_id != alliance_id:
        return False
    if actor.kind is ActorKind.OPERATOR:
        return True
    if actor.kind not in {ActorKind.STAFF, ActorKind.POS} or merchant_id is None:
        return False  # members and alliance-level objects: not theirs
    if actor.merchant_id != merchant_id:
        return False
    return store_id is None or not store_bound(actor) or store_id in actor.store_ids


def authorize(
    actor: Actor,
    perm: Perm,
    *,
    alliance_id: str,
    merchant_id: str | None = None,
    store_id: str | None = None,
) -> None:
    """Raise ``ObjectNotFound`` for an invisible object, ``Forbidden`` for a refused action."""
    if not can_see(actor, alliance_id=alliance_id, merchant_id=merchant_id, store_id=store_id):
        raise ObjectNotFound()
    permissions.require(actor, perm, Forbidden)
