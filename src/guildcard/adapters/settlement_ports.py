"""Settlement's ports: contract terms from the alliance context, member sales from the counter."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from guildcard.alliance.domain.contracts import ContractVersion
from guildcard.alliance.storage import repository as alliance_repo
from guildcard.counter.storage.tables import purchases, refunds
from guildcard.db.engine import Database
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

    def __init__(self, database: Database) -> None:
        self._database = database

    def terms_in_force(self, alliance_id: str, merchant_id: str, at: datetime) -> SettlementTerms | None:
        with self._database.read() as conn:
            versions = alliance_repo.contract_versions(conn, alliance_id, merchant_id)
        in_force = [v for v in versions if v.effective_from <= at]
        return _settlement_terms(max(in_force, key=lambda v: v.effective_from)) if in_force else None

    def merchants(self, alliance_id: str) -> list[MerchantRef]:
        with self._database.read() as conn:
            return [MerchantRef(m.id, m.name) for m in alliance_repo.list_merchants(conn, alliance_id)]


class CounterMemberSales:
    """Member sales are what members paid at the counter (cash and points); refunds count negative."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def member_sales(
        self, alliance_id: str, *, occurred_from: datetime, occurred_until: datetime, recorded_until: datetime
    ) -> list[MemberSale]:
        p, r = purchases.c, refunds.c
        sold = select(p.purchase_id, p.merchant_id, p.payable_fen, p.occurred_at, p.recorded_at).where(
            p.alliance_id == alliance_id, p.occurred_at >= occurred_from, p.occurred_at < occurred_until,
            p.recorded_at <= recorded_until,
        )  # fmt: skip
        # A refund reduces sales when it is recorded (it has no other date of its own).
        refunded = select(r.refund_id, r.merchant_id, r.amount_fen, r.recorded_at).where(
            r.alliance_id == alliance_id, r.recorded_at >= occurred_from, r.recorded_at < occurred_until,
            r.recorded_at <= recorded_until,
        )  # fmt: skip
        with self._database.read() as conn:
            sales = [MemberSale(row[0], row[1], row[2], row[3], row[4]) for row in conn.execute(sold)]
            sales += [MemberSale(row[0], row[1], -row[2], row[3], row[3]) for row in conn.execute(refunded)]
        return sales
