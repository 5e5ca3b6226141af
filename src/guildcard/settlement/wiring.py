"""Builds settlement's services from the container (the lead wires the real ports there)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from guildcard.settlement.admin import SettlementAdmin
from guildcard.settlement.domain.errors import PortsMissing
from guildcard.settlement.handlers import SettlementDeps
from guildcard.settlement.service import SettlementService

if TYPE_CHECKING:
    from guildcard.bootstrap import Container


def _provide(container: Container) -> SettlementDeps:
    terms, sales = container.settlement_terms, container.settlement_sales
    if terms is None or sales is None:
        raise PortsMissing()
    keys = container.ledger_keys  # the same signing keys as the ledger's checkpoints
    deps = SettlementDeps(terms, sales, keys, container.clock)
    container.bus.provide("settlement", deps)
    return deps


def settlement_service(container: Container) -> SettlementService:
    deps = _provide(container)
    terms, sales, keys = deps.terms, deps.sales, deps.keys
    return SettlementService(
        container.database, clock=container.clock, terms=terms, sales=sales, keys=keys, bus=container.bus
    )


def settlement_admin(container: Container) -> SettlementAdmin:
    _provide(container)  # setting a limit checks the merchant through the terms port
    return SettlementAdmin(container.database, clock=container.clock, bus=container.bus)
