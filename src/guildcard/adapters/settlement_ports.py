"""Settlement's ports: contract terms from the alliance context, member sales from the counter.

Each method reads on the connection settlement hands it (the close command's unit of work, or a
read's), through the other context's queries.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from guildcard.alliance import queries as alliance
from guildcard.alliance.domain.contracts import ContractVersion
from guildcard.counter import queries as counter
from guildcard.settlement.domain.terms import MemberSale, MerchantRef, SettlementTerms


def _settlement_terms(version: ContractVersion) -> SettlementTerms:
    terms = version.terms
    return SettlementTerms(
        version=version.id,
        issue_price=terms.issue_price_fen_per_point,
        reimbursement=terms.reimbursement_fen_per_point,
        commission_rate=terms.commission_rate,
        redemption_fee=0,  # contracts carry no per-redemption fee yet
        entry_fee=terms.entry_fee_fen,
        effective_from=version.effective_from,
    )


class ContractTermsProvider:
    """The contract version in force at a moment, as settlement prices entries."""

    def terms_in_force(
        self, conn: Connection, alliance_id: str, merchant_id: str, at: datetime
    ) -> SettlementTerms | None:
        versions = alliance.contract_versions(conn, alliance_id, merchant_id)
        in_force = [v for v in versions if v.effective_from <= at]
        return _settlement_terms(max(in_force, key=lambda v: v.effective_from)) if in_force else None

    def merchants(self, conn: Connection, alliance_id: str) -> list[MerchantRef]:
        return [MerchantRef(m.id, m.name) for m in alliance.list_merchants(conn, alliance_id)]


class CounterMemberSales:
    """Member sales are what members paid at the counter (cash and points); refunds count negative."""

    def member_sales(
        self,
        conn: Connection,
        alliance_id: str,
        *,
        occurred_from: datetime,
        occurred_until: datetime,
        recorded_until: datetime,
    ) -> list[MemberSale]:
        found = counter.member_sales(
            conn, alliance_id, occurred_from=occurred_from, occurred_until=occurred_until,
            recorded_until=recorded_until,
        )  # fmt: skip
        return [MemberSale(s.ref, s.merchant_id, s.amount_fen, s.occurred_at, s.recorded_at) for s in found]
