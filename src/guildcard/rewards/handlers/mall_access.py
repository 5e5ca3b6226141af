"""Who may do what in the mall, the check-in and the lottery (checked before any transaction)."""

from __future__ import annotations

from typing import Any

from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.errors import PermissionDenied

CATALOGUE_ROLES = ("admin",)
MERCHANT_ROLES = ("owner", "manager")


def operator(actor: Actor, _command: Any) -> None:
    if not actor.is_operator(*CATALOGUE_ROLES) and actor.kind is not ActorKind.SYSTEM:
        raise PermissionDenied("Only the alliance's administrators may do this.")


def member(actor: Actor, _command: Any) -> None:
    if actor.kind is not ActorKind.MEMBER:
        raise PermissionDenied("Only a member may do this.")


def system(actor: Actor, _command: Any) -> None:
    if actor.kind is not ActorKind.SYSTEM and not actor.is_operator(*CATALOGUE_ROLES):
        raise PermissionDenied("Only a job or an administrator may do this.")


def supplier_or_operator(actor: Actor, command: Any) -> None:
    """The catalogue: the alliance's administrators, or a merchant's owner/manager for its own items."""
    supplier = getattr(command, "supplier_merchant_id", None)
    if actor.is_operator(*CATALOGUE_ROLES) or actor.kind is ActorKind.SYSTEM:
        return
    if supplier is not None and actor.is_staff_of(supplier, *MERCHANT_ROLES):
        return
    if supplier is None and actor.kind is ActorKind.STAFF and actor.role in MERCHANT_ROLES:
        return  # an edit of an existing item: the handler checks it is the merchant's own
    raise PermissionDenied("Only the supplier's owner or the alliance may change this item.")


def staff_or_operator(actor: Actor, _command: Any) -> None:
    if actor.kind in {ActorKind.STAFF, ActorKind.SYSTEM} or actor.is_operator(*CATALOGUE_ROLES):
        return
    raise PermissionDenied("Only the supplier's staff may fulfil mall orders.")


def member_or_operator(actor: Actor, _command: Any) -> None:
    if actor.kind in {ActorKind.MEMBER, ActorKind.SYSTEM} or actor.is_operator(*CATALOGUE_ROLES):
        return
    raise PermissionDenied("Only the member or the alliance may cancel this order.")
