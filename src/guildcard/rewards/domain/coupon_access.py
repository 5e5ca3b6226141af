"""Who may do what with coupons (pure checks on the actor)."""

from __future__ import annotations

from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.errors import PermissionDenied
from guildcard.rewards.domain.coupons import Place

OPERATOR_ROLES = frozenset({"admin"})
MERCHANT_ROLES = frozenset({"owner", "manager"})


def may_manage(actor: Actor, issuer_merchant_id: str | None) -> None:
    """Alliance coupons: the alliance's admins; a merchant's: its owner or manager (or an admin)."""
    if actor.kind is ActorKind.SYSTEM or (actor.kind is ActorKind.OPERATOR and actor.role in OPERATOR_ROLES):
        return
    own = (
        issuer_merchant_id is not None
        and actor.kind is ActorKind.STAFF
        and actor.merchant_id == issuer_merchant_id
    )
    if own and actor.role in MERCHANT_ROLES:
        return
    raise PermissionDenied("You may not manage these coupons.")


def may_issue(actor: Actor, issuer_merchant_id: str | None) -> None:
    """Bulk issue: the same people who manage the coupon."""
    may_manage(actor, issuer_merchant_id)


def member_self(actor: Actor, member_id: str) -> None:
    if actor.kind is ActorKind.SYSTEM or (actor.kind is ActorKind.MEMBER and actor.id == member_id):
        return
    raise PermissionDenied("Only the member may do this.")


def at_counter(actor: Actor, place: Place) -> None:
    """Staff of the store's merchant (cashiers at their own stores), or the store's POS key."""
    if actor.kind is ActorKind.SYSTEM:
        return
    staff = actor.kind is ActorKind.STAFF and actor.merchant_id == place.merchant_id
    if staff and (
        actor.role in MERCHANT_ROLES or (actor.role == "cashier" and place.store_id in actor.store_ids)
    ):
        return
    if actor.kind is ActorKind.POS and place.store_id in actor.store_ids and "counter:write" in actor.scopes:
        return
    raise PermissionDenied("You may not work this store's counter.")
