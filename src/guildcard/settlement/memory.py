"""In-memory adapters of settlement's ports: for tests, demos, and until the real ones are wired."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection

from guildcard.settlement.domain.terms import MemberSale, MerchantRef, SettlementTerms


@dataclass
class InMemoryTerms:
    """Contract versions per merchant; the one in force is the latest ``effective_from <= at``."""

    alliance_id: str | None = None  # when set, other alliances have no merchants
    names: dict[str, str] = field(default_factory=dict)
    versions: dict[str, list[SettlementTerms]] = field(default_factory=dict)

    def add(self, merchant_id: str, name: str, *terms: SettlementTerms) -> None:
        self.names[merchant_id] = name
        self.versions.setdefault(merchant_id, []).extend(terms)
        self.versions[merchant_id].sort(key=lambda t: t.effective_from)

    def terms_in_force(
        self, _conn: Connection, alliance_id: str, merchant_id: str, at: datetime
    ) -> SettlementTerms | None:
        if self.alliance_id not in (None, alliance_id):
            return None
        in_force = [t for t in self.versions.get(merchant_id, []) if t.effective_from <= at]
        return in_force[-1] if in_force else None

    def merchants(self, _conn: Connection, alliance_id: str) -> list[MerchantRef]:
        if self.alliance_id not in (None, alliance_id):
            return []
        return [MerchantRef(m, n) for m, n in sorted(self.names.items())]


@dataclass
class InMemorySales:
    alliance_id: str | None = None  # when set, other alliances have no sales
    sales: list[MemberSale] = field(default_factory=list)

    def add(self, sale: MemberSale) -> None:
        self.sales.append(sale)

    def member_sales(
        self,
        _conn: Connection,
        alliance_id: str,
        *,
        occurred_from: datetime,
        occurred_until: datetime,
        recorded_until: datetime,
    ) -> list[MemberSale]:
        if self.alliance_id not in (None, alliance_id):
            return []
        return [
            s
            for s in self.sales
            if occurred_from <= s.occurred_at < occurred_until and s.recorded_at <= recorded_until
        ]
