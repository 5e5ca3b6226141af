"""Who may act at which store. Checked in the service, never in routes.

Merchant staff act at their merchant's stores (cashiers only at the stores they are assigned
to); a POS key acts only at its store with scope ``counter:write``. Another merchant's or
alliance's store is "not found", so ids reveal nothing.
"""

from __future__ import annotations

from guildcard.counter.domain.errors import CounterForbidden, PurchaseNotFound, StoreNotFound
from guildcard.counter.ports import StoreRef
from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.permissions import Perm, allows

ALL_STORES_ROLES = {"owner", "manager"}


def check_store(actor: Actor, store: StoreRef) -> StoreRef:
    """``store``, if ``actor`` may work its counter; raises ``StoreNotFound`` or ``CounterForbidden``."""
    store_id = store.store_id
    if actor.kind is ActorKind.STAFF:
        if actor.merchant_id != store.merchant_id:
            raise StoreNotFound(store_id=store_id)
        if allows(actor, Perm.COUNTER_SELL) and (
            actor.role in ALL_STORES_ROLES or store_id in actor.store_ids
        ):
            return store
        raise CounterForbidden(store_id=store_id)
    if actor.kind is ActorKind.POS:
        if store_id not in actor.store_ids or (actor.merchant_id and actor.merchant_id != store.merchant_id):
            raise StoreNotFound(store_id=store_id)
        if not allows(actor, Perm.COUNTER_SELL):
            raise CounterForbidden("This API key lacks the counter:write scope.", store_id=store_id)
        return store
    raise CounterForbidden(store_id=store_id)


def store_scoped(actor: Actor) -> bool:
    """A POS key or a cashier: bound to its stores, not to the whole merchant."""
    return actor.kind is ActorKind.POS or (
        actor.kind is ActorKind.STAFF and actor.role not in ALL_STORES_ROLES
    )


def check_purchase_store(actor: Actor, purchase_store_id: str, order_no: str) -> None:
    """A store-scoped actor reaches only its stores' purchases: another store's is "not found",
    whatever store the request names (order numbers are unique per merchant, not per store)."""
    if store_scoped(actor) and purchase_store_id not in actor.store_ids:
        raise PurchaseNotFound(order_no=order_no)


def require_owner(actor: Actor, merchant_id: str) -> None:
    if not (actor.is_staff_of(merchant_id) and allows(actor, Perm.BACKFILL_DECIDE)):
        raise CounterForbidden("Only the merchant owner may decide on a backfill.")


def require_adjuster(actor: Actor) -> None:
    if not (actor.is_operator() and allows(actor, Perm.POINTS_ADJUST)):
        raise CounterForbidden("Only alliance admins and finance may adjust points by hand.")
