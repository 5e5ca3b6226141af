"""Which merchants a figure covers: the alliance, one trade, one merchant or one store."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Connection

from guildcard.alliance import queries as alliance_queries
from guildcard.insights.domain.errors import BadScope


class ScopeKind(StrEnum):
    ALLIANCE = "alliance"
    TRADE = "trade"
    MERCHANT = "merchant"
    STORE = "store"


@dataclass(frozen=True)
class Scope:
    kind: ScopeKind = ScopeKind.ALLIANCE
    key: str | None = None  # the trade code, merchant id or store id

    def merchants(self, conn: Connection, alliance_id: str) -> frozenset[str] | None:
        """None: every merchant (no filter)."""
        if self.kind is ScopeKind.ALLIANCE or self.kind is ScopeKind.STORE:
            return None
        if self.kind is ScopeKind.MERCHANT:
            return frozenset({str(self.key)})
        return frozenset(
            m.id for m in alliance_queries.list_merchants(conn, alliance_id) if m.category == self.key
        )

    @property
    def store_id(self) -> str | None:
        return self.key if self.kind is ScopeKind.STORE else None


def parse_scope(text: str | None) -> Scope:
    """``alliance``, ``trade:CODE``, ``merchant:ID`` or ``store:ID``."""
    if not text or text == "alliance":
        return Scope()
    kind, _, key = text.partition(":")
    if kind not in {k.value for k in ScopeKind} or not key:
        raise BadScope(field="scope")
    return Scope(ScopeKind(kind), key)


def merchant_names(conn: Connection, alliance_id: str) -> dict[str, tuple[str, str]]:
    """Merchant id -> (name, trade code)."""
    return {m.id: (m.name, m.category) for m in alliance_queries.list_merchants(conn, alliance_id)}


def trade_names(conn: Connection, alliance_id: str) -> dict[str, str]:
    return {c.code: c.name for c in alliance_queries.categories(conn, alliance_id)}
