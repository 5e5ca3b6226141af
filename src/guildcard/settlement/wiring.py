"""Builds settlement's services from the container (the lead wires the real ports there)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from guildcard.settlement.admin import SettlementAdmin
from guildcard.settlement.domain.errors import PortsMissing
from guildcard.settlement.handlers import SettlementDeps
from guildcard.settlement.service import SettlementService

if TYPE_CHECKING:
    from guildcard.bootstrap import Container


def settlement_service(container: Container) -> SettlementService:
    terms, sales = container.settlement_terms, container.settlement_sales
    if terms is None or sales is None:
        raise PortsMissing()
    keys = container.ledger_keys  # the same signing keys as the ledger's checkpoints
    container.bus.provide("settlement", SettlementDeps(terms, sales, keys, container.clock))
    return SettlementService(
        container.database, clock=container.clock, terms=terms, sales=sales, keys=keys, bus=container.bus
    )


def settlement_admin(container: Container) -> SettlementAdmin:
    return SettlementAdmin(container.database, clock=container.clock, bus=container.bus)
