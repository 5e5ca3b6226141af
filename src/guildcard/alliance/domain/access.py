"""Who may do what to which object: one table of permissions and one check.

The check runs on the object itself (its alliance, merchant and store). Objects of another
alliance or another merchant are answered as not found, so their existence is not leaked;
visible objects that the role may not touch are answered as forbidden.
"""

from __future__ import annotations

from enum import StrEnum

from guildcard.alliance.domain.errors import Forbidden, ObjectNotFound
from guildcard.kernel.actors import Actor, ActorKind


class Perm(StrEnum):
    ALLIANCE_CONFIGURE = "alliance.configure"  # categories, limits
    OPERATOR_MANAGE = "operator.manage"
    APPLICATION_READ = "application.read"
    APPLICATION_REVIEW = "application.review"
    MERCHANT_READ = "merchant.read"
    MERCHANT_SUSPEND = "merchant.suspend"
    STORE_READ = "store.read"
    STORE_WRITE = "store.write"
    STAFF_READ = "staff.read"
    STAFF_WRITE = "staff.write"
    POS_KEY_READ = "pos_key.read"
    POS_KEY_WRITE = "pos_key.write"
    CONTRACT_READ = "contract.read"
    CONTRACT_WRITE = "contract.write"
    AUDIT_READ = "audit.read"


P = Perm
_OPERATOR_READ = {P.APPLICATION_READ, P.MERCHANT_READ, P.STORE_READ, P.STAFF_READ, P.AUDIT_READ}
PERMISSIONS: dict[tuple[ActorKind, str | None], frozenset[Perm]] = {
    (ActorKind.OPERATOR, "admin"): frozenset(Perm) - {P.STORE_WRITE, P.STAFF_WRITE, P.POS_KEY_WRITE},
    (ActorKind.OPERATOR, "reviewer"): frozenset(_OPERATOR_READ | {P.APPLICATION_REVIEW}),
    (ActorKind.OPERATOR, "finance"): frozenset(_OPERATOR_READ | {P.CONTRACT_READ, P.CONTRACT_WRITE}),
    (ActorKind.OPERATOR, "viewer"): frozenset(_OPERATOR_READ | {P.CONTRACT_READ, P.POS_KEY_READ}),
    (ActorKind.STAFF, "owner"): frozenset(
        {
            P.MERCHANT_READ,
            P.STORE_READ,
            P.STORE_WRITE,
            P.STAFF_READ,
            P.STAFF_WRITE,
            P.POS_KEY_READ,
            P.POS_KEY_WRITE,
            P.CONTRACT_READ,
            P.AUDIT_READ,
        }
    ),
    (ActorKind.STAFF, "manager"): frozenset(
        {P.MERCHANT_READ, P.STORE_READ, P.STAFF_READ, P.STAFF_WRITE, P.POS_KEY_READ, P.POS_KEY_WRITE}
    ),
    (ActorKind.STAFF, "cashier"): frozenset({P.MERCHANT_READ, P.STORE_READ}),
    (ActorKind.POS, None): frozenset({P.MERCHANT_READ, P.STORE_READ}),
}


def permissions_of(actor: Actor) -> frozenset[Perm]:
    role = None if actor.kind is ActorKind.POS else actor.role
    return PERMISSIONS.get((actor.kind, role), frozenset())


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
    if perm not in permissions_of(actor):
        raise Forbidden(permission=perm.value)
