"""Suspending and reinstating a merchant (members cannot earn or redeem at a suspended one)."""

from __future__ import annotations

from dataclasses import dataclass

from guildcard.alliance.domain.access import Perm, authorize
from guildcard.alliance.domain.errors import InvalidTransition, ObjectNotFound
from guildcard.alliance.domain.model import Merchant, MerchantStatus
from guildcard.alliance.handlers.common import handlers, or_raise
from guildcard.alliance.storage import repository as repo
from guildcard.kernel.errors import InvalidInput
from guildcard.pipeline import Command, Work, versions


@dataclass(frozen=True, kw_only=True)
class SetMerchantStatus(Command):
    scope = "alliance.merchant.set_status"
    merchant_id: str
    status: MerchantStatus
    reason: str | None = None


@handlers.register()
def set_merchant_status(command: SetMerchantStatus, work: Work) -> Merchant:
    """Suspend (reason required) or reinstate. Setting the status it already has is an error."""
    status, reason, conn, actor = command.status, command.reason, work.connection, work.actor
    if status is MerchantStatus.SUSPENDED and not (reason or "").strip():
        raise InvalidInput("A reason is required to suspend a merchant.", field="reason")
    merchant = or_raise(
        repo.get_merchant(conn, work.alliance_id, command.merchant_id, lock=True), ObjectNotFound
    )
    authorize(actor, Perm.MERCHANT_READ, alliance_id=merchant.alliance_id, merchant_id=merchant.id)
    authorize(actor, Perm.MERCHANT_SUSPEND, alliance_id=merchant.alliance_id, merchant_id=merchant.id)
    if merchant.status is status:
        raise InvalidTransition(f"the merchant is already {status.value}", current_status=status.value)
    repo.set_merchant_status(conn, work.alliance_id, merchant.id, status)
    repo.add_status_event(
        conn,
        alliance_id=work.alliance_id,
        object_type="merchant",
        object_id=merchant.id,
        from_status=merchant.status.value,
        to_status=status.value,
        actor_kind=actor.kind.value,
        actor_id=actor.id,
        reason=reason,
        at=work.now,
    )
    suspended = status is MerchantStatus.SUSPENDED
    work.audit(
        f"merchant.{'suspend' if suspended else 'reactivate'}",
        object_type="merchant",
        object_id=merchant.id,
        merchant_id=merchant.id,
        details={"from": merchant.status.value, "to": status.value},
    )
    # The counter reads a merchant's status with its terms on every purchase.
    versions.bump(conn, work.alliance_id, versions.Topic.TERMS)
    work.emit(
        f"alliance.merchant_{'suspended' if suspended else 'reinstated'}", merchant.id, status=status.value
    )
    return or_raise(repo.get_merchant(conn, work.alliance_id, merchant.id), ObjectNotFound)
