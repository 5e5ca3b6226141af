"""All alliance services, built once in the composition root."""

from __future__ import annotations

from dataclasses import dataclass

from guildcard.alliance.services.alliances import AllianceService
from guildcard.alliance.services.audit_reads import AuditReader
from guildcard.alliance.services.auth import AuthService
from guildcard.alliance.services.base import Deps
from guildcard.alliance.services.contracts import ContractService
from guildcard.alliance.services.merchants import MerchantService
from guildcard.alliance.services.onboarding import OnboardingService
from guildcard.alliance.services.pos_keys import PosKeyService
from guildcard.alliance.services.staff import StaffService
from guildcard.alliance.services.stores import StoreService


@dataclass(frozen=True)
class AllianceServices:
    alliances: AllianceService
    onboarding: OnboardingService
    merchants: MerchantService
    contracts: ContractService
    stores: StoreService
    staff: StaffService
    pos_keys: PosKeyService
    auth: AuthService
    audit: AuditReader

    @classmethod
    def build(cls, deps: Deps) -> AllianceServices:
        return cls(
            alliances=AllianceService(deps),
            onboarding=OnboardingService(deps),
            merchants=MerchantService(deps),
            contracts=ContractService(deps),
            stores=StoreService(deps),
            staff=StaffService(deps),
            pos_keys=PosKeyService(deps),
            auth=AuthService(deps),
            audit=AuditReader(deps),
        )
