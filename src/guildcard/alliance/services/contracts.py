"""Contract terms per merchant: versions in force from a business date, history kept."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from guildcard.alliance.domain.access import Perm, authorize
from guildcard.alliance.domain.contracts import ContractTerms, ContractVersion, version_in_force
from guildcard.alliance.domain.errors import (
    AllianceNotFound,
    DuplicateContractDate,
    InvalidEffectiveDate,
    ObjectNotFound,
)
from guildcard.alliance.services.base import Created, Deps, claim_key, or_raise, remember_key
from guildcard.alliance.storage import repository as repo
from guildcard.audit.log import record
from guildcard.db.uow import SqlUnitOfWork
from guildcard.kernel.actors import Actor
from guildcard.kernel.clock import business_date, start_of_business_day
from guildcard.kernel.ids import new_id


def terms_in_force(conn: Connection, alliance_id: str, merchant_id: str, at: datetime) -> ContractTerms:
    """The terms in force for the merchant at ``at``; raises ``NoContract``. For other contexts."""
    return version_in_force(repo.contract_versions(conn, alliance_id, merchant_id), at).terms


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
        now = self.deps.clock.now()
        if effective_from < business_date(now):
            raise InvalidEffectiveDate(field="effective_from")
        starts = (
            max(start_of_business_day(effective_from), now)
            if effective_from == business_date(now)
            else (start_of_business_day(effective_from))
        )
        request = {"merchant": merchant_id, "terms": terms.as_strings(), "from": effective_from.isoformat()}
        with SqlUnitOfWork(self.deps.database) as uow:
            conn = uow.connection
            merchant = or_raise(repo.get_merchant(conn, actor.alliance_id, merchant_id), ObjectNotFound)
            authorize(actor, Perm.CONTRACT_WRITE, alliance_id=merchant.alliance_id, merchant_id=merchant.id)
            scope = "alliance.contract.set"
            replay = claim_key(
                conn,
                alliance_id=actor.alliance_id,
                scope=scope,
                key=idempotency_key,
                request=request,
                now=now,
            )
            versions = repo.contract_versions(conn, actor.alliance_id, merchant_id)
            if replay is not None:
                return Created(next(v for v in versions if v.id == replay["id"]), replayed=True)
            alliance = or_raise(repo.get_alliance(conn, actor.alliance_id), AllianceNotFound)
            alliance.limits.check(terms)
            if any(business_date(v.effective_from) == effective_from for v in versions):
                raise DuplicateContractDate(effective_from=effective_from.isoformat())
            version = ContractVersion(new_id("con"), merchant_id, starts, terms, now, actor.id)
            repo.insert_contract(conn, actor.alliance_id, version)
            record(
                conn,
                actor=actor,
                action="contract.set",
                object_type="contract",
                object_id=version.id,
                merchant_id=merchant_id,
                at=now,
                details={"effective_from": effective_from.isoformat(), **terms.as_strings()},
            )
            remember_key(
                conn,
                alliance_id=actor.alliance_id,
                scope=scope,
                key=idempotency_key,
                response={"id": version.id},
            )
            try:
                uow.commit()
            except IntegrityError as exc:
                raise DuplicateContractDate(effective_from=effective_from.isoformat()) from exc
        return Created(version)
