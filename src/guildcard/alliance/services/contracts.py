"""Contract terms per merchant: versions in force from a business date, history kept."""

from __future__ import annotations

from datetime import date, datetime

from guildcard.alliance.domain.access import Perm, authorize
from guildcard.alliance.domain.contracts import ContractTerms, ContractVersion
from guildcard.alliance.domain.errors import ObjectNotFound
from guildcard.alliance.handlers.common import or_raise
from guildcard.alliance.handlers.contracts import SetTerms
from guildcard.alliance.queries import terms_in_force
from guildcard.alliance.services.base import Created, Deps
from guildcard.alliance.storage import repository as repo
from guildcard.kernel.actors import Actor


class ContractService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def terms_in_force(self, alliance_id: str, merchant_id: str, at: datetime) -> ContractTerms:
        with self.deps.database.read() as conn:
            return terms_in_force(conn, alliance_id, merchant_id, at)

    def history(self, actor: Actor, merchant_id: str) -> list[ContractVersion]:
        with self.deps.database.read() as conn:
            merchant = or_raise(repo.get_merchant(conn, actor.alliance_id, merchant_id), ObjectNotFound)
            authorize(actor, Perm.CONTRACT_READ, alliance_id=merchant.alliance_id, merchant_id=merchant.id)
            return repo.contract_versions(conn, actor.alliance_id, merchant_id)

    def set_terms(
        self,
        actor: Actor,
        merchant_id: str,
        terms: ContractTerms,
        *,
        effective_from: date,
        idempotency_key: str | None = None,
    ) -> Created[ContractVersion]:
        """New terms from 00:00 Asia/Shanghai on ``effective_from`` (today or later)."""
        command = SetTerms(
            merchant_id=merchant_id,
            terms=terms,
            effective_from=effective_from,
            idempotency_key=idempotency_key,
        )
        return Created.of(self.deps.bus.execute(actor, command))
