"""Contract terms per merchant: a new version in force from a business date, history kept."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError

from guildcard.alliance.domain.access import Perm, authorize
from guildcard.alliance.domain.contracts import ContractTerms, ContractVersion
from guildcard.alliance.domain.errors import (
    AllianceNotFound,
    DuplicateContractDate,
    InvalidEffectiveDate,
    ObjectNotFound,
)
from guildcard.alliance.handlers.common import handlers, or_raise, remember_id
from guildcard.alliance.storage import repository as repo
from guildcard.kernel.clock import business_date, start_of_business_day
from guildcard.kernel.ids import new_id
from guildcard.pipeline import Command, Work, versions


@dataclass(frozen=True, kw_only=True)
class SetTerms(Command):
    scope = "alliance.contract.set"
    merchant_id: str
    terms: ContractTerms
    effective_from: date

    def identity(self) -> Mapping[str, Any]:
        return {
            "merchant": self.merchant_id,
            "terms": self.terms.as_strings(),
            "from": self.effective_from.isoformat(),
        }


def _may_write(work: Work, merchant_id: str) -> None:
    merchant = or_raise(repo.get_merchant(work.connection, work.alliance_id, merchant_id), ObjectNotFound)
    authorize(work.actor, Perm.CONTRACT_WRITE, alliance_id=merchant.alliance_id, merchant_id=merchant.id)


def _reload_version(stored: Any, work: Work) -> ContractVersion:
    version = next(
        (
            v
            for v in repo.contract_versions(work.connection, work.alliance_id, stored["merchant_id"])
            if v.id == stored["id"]
        ),
        None,
    )
    version = or_raise(version, ObjectNotFound)
    _may_write(work, version.merchant_id)  # a replay shows the contract only to whom may write it
    return version


@handlers.register(
    remember=lambda v: {**remember_id(v), "merchant_id": v.merchant_id}, replay=_reload_version
)
def set_terms(command: SetTerms, work: Work) -> ContractVersion:
    """New terms from 00:00 Asia/Shanghai on ``effective_from`` (today or later)."""
    conn, now, effective_from, terms = work.connection, work.now, command.effective_from, command.terms
    if effective_from < business_date(now):
        raise InvalidEffectiveDate(field="effective_from")
    starts = (
        max(start_of_business_day(effective_from), now)
        if effective_from == business_date(now)
        else start_of_business_day(effective_from)
    )
    _may_write(work, command.merchant_id)
    alliance = or_raise(repo.get_alliance(conn, work.alliance_id), AllianceNotFound)
    alliance.limits.check(terms)
    history = repo.contract_versions(conn, work.alliance_id, command.merchant_id)
    if any(business_date(v.effective_from) == effective_from for v in history):
        raise DuplicateContractDate(effective_from=effective_from.isoformat())
    version = ContractVersion(new_id("con"), command.merchant_id, starts, terms, now, work.actor.id)
    try:
        repo.insert_contract(conn, work.alliance_id, version)
    except IntegrityError as exc:  # a concurrent version for the same date
        raise DuplicateContractDate(effective_from=effective_from.isoformat()) from exc
    work.audit(
        "contract.set",
        object_type="contract",
        object_id=version.id,
        merchant_id=command.merchant_id,
        details={"effective_from": effective_from.isoformat(), **terms.as_strings()},
    )
    # The counter may cache the terms in force: a new version must reach every process.
    versions.bump(conn, work.alliance_id, versions.Topic.TERMS)
    work.emit(
        "alliance.contract_signed",
        version.id,
        merchant_id=command.merchant_id,
        effective_from=effective_from.isoformat(),
    )
    return version
