"""What settlement needs from other contexts, as Protocols (ports).

The alliance context owns contracts and the counter owns purchases; settlement reaches them only
through these ports (the real adapters are ``guildcard.adapters.settlement_ports``, wired in
``bootstrap``). Every method takes the caller's connection: the close command's (its unit of
work) or a read's. A port never opens a transaction of its own.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy import Connection

from guildcard.settlement.domain.terms import MemberSale, MerchantRef, SettlementTerms


class TermsProvider(Protocol):
    def terms_in_force(
        self, conn: Connection, alliance_id: str, merchant_id: str, at: datetime
    ) -> SettlementTerms | None:
        """The contract terms of ``merchant_id`` in force at ``at``; None when it had none."""
        ...

    def merchants(self, conn: Connection, alliance_id: str) -> list[MerchantRef]:
        """Every merchant of the alliance that settles (admitted, including suspended ones)."""
        ...


class MemberSalesSource(Protocol):
    def member_sales(
        self,
        conn: Connection,
        alliance_id: str,
        *,
        occurred_from: datetime,
        occurred_until: datetime,
        recorded_until: datetime,
    ) -> list[MemberSale]:
        """Sales with ``occurred_from <= occurred_at < occurred_until`` recorded by ``recorded_until``."""
        ...
