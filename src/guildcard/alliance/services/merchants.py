"""Merchants: read, suspend and reactivate; and the status other contexts ask about.

A suspended merchant keeps its data and its staff can still sign in and read it; members
cannot earn or redeem there (the counter calls ``require_active_merchant``).
"""

from __future__ import annotations

import builtins
from typing import cast

from sqlalchemy import Connection

from guildcard.alliance.domain.access import Perm, authorize
from guildcard.alliance.domain.errors import MerchantSuspended, ObjectNotFound
from guildcard.alliance.domain.model import Merchant, MerchantStatus
from guildcard.alliance.handlers.common import or_raise
from guildcard.alliance.handlers.merchants import SetMerchantStatus
from guildcard.alliance.services.base import Deps
from guildcard.alliance.storage import repository as repo
from guildcard.kernel.actors import Actor, ActorKind
from guildcard.privacy.phones import mask_phone


def require_active_merchant(conn: Connection, alliance_id: str, merchant_id: str) -> Merchant:
    """The merchant, if it exists and is active; for use inside another context's transaction."""
    merchant = or_raise(repo.get_merchant(conn, alliance_id, merchant_id), ObjectNotFound)
    if not merchant.is_active:
        raise MerchantSuspended(merchant_id=merchant_id)
    return merchant


class MerchantService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def require_active_merchant(self, alliance_id: str, merchant_id: str) -> Merchant:
        with self.deps.database.read() as conn:
            return require_active_merchant(conn, alliance_id, merchant_id)

    def get(self, actor: Actor, merchant_id: str) -> Merchant:
        with self.deps.database.read() as conn:
            merchant = or_raise(repo.get_merchant(conn, actor.alliance_id, merchant_id), ObjectNotFound)
        authorize(actor, Perm.MERCHANT_READ, alliance_id=merchant.alliance_id, merchant_id=merchant.id)
        return merchant

    def masked_phone(self, actor: Actor, merchant_id: str) -> str:
        self.get(actor, merchant_id)
        with self.deps.database.read() as conn:
            return mask_phone(repo.merchant_phone(conn, actor.alliance_id, merchant_id, self.deps.cipher))

    def list(self, actor: Actor, *, status: MerchantStatus | None = None) -> list[Merchant]:
        if actor.kind is not ActorKind.OPERATOR:  # merchant staff read their own merchant by id
            authorize(actor, Perm.MERCHANT_READ, alliance_id=actor.alliance_id, merchant_id=actor.merchant_id)
            return [self.get(actor, str(actor.merchant_id))]
        authorize(actor, Perm.MERCHANT_READ, alliance_id=actor.alliance_id)
        with self.deps.database.read() as conn:
            return repo.list_merchants(conn, actor.alliance_id, status=status.value if status else None)

    def history(self, actor: Actor, merchant_id: str) -> builtins.list[dict[str, object]]:
        self.get(actor, merchant_id)
        with self.deps.database.read() as conn:
            return repo.status_events(conn, actor.alliance_id, "merchant", merchant_id)

    def set_status(
        self, actor: Actor, merchant_id: str, status: MerchantStatus, *, reason: str | None
    ) -> Merchant:
        """Suspend (reason required) or reactivate. Idempotent by nature: same status -> error."""
        command = SetMerchantStatus(merchant_id=merchant_id, status=status, reason=reason)
        return cast("Merchant", self.deps.bus.execute(actor, command).value)
