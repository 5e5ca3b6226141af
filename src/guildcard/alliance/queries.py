"""What other contexts and entry points read from the alliance context, on the caller's connection.

Other contexts read alliances, merchants, stores and contracts only through these functions
(never the alliance's tables): the counter reads an open store with its merchant in one query,
and the terms in force, inside its own command's transaction; settlement reads the merchants
and their contract versions in its own; the member pages read the merchant directory.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from guildcard.alliance.domain.contracts import ContractTerms, version_in_force
from guildcard.alliance.domain.model import MerchantStatus
from guildcard.alliance.storage import tables as t
from guildcard.alliance.storage.repository import (
    categories,
    contract_versions,
    get_alliance,
    list_merchants,
    list_stores,
)

__all__ = [
    "OpenStore",
    "categories",
    "contract_versions",
    "get_alliance",
    "list_merchants",
    "list_stores",
    "open_store",
    "terms_in_force",
]


@dataclass(frozen=True)
class OpenStore:
    store_id: str
    merchant_id: str
    merchant_name: str
    trade_category: str
    merchant_active: bool


def open_store(conn: Connection, alliance_id: str, store_id: str) -> OpenStore | None:
    """An open (not closed) store with its merchant, in one indexed read; None when there is none."""
    s, m = t.stores.c, t.merchants.c
    row = conn.execute(
        select(s.id, s.merchant_id, m.name, m.category, m.status)
        .join_from(t.stores, t.merchants, (m.alliance_id == s.alliance_id) & (m.id == s.merchant_id))
        .where(s.alliance_id == alliance_id, s.id == store_id, s.closed_at.is_(None))
    ).first()
    if row is None:
        return None
    return OpenStore(row[0], row[1], row[2], row[3], row[4] == MerchantStatus.ACTIVE.value)


def terms_in_force(conn: Connection, alliance_id: str, merchant_id: str, at: datetime) -> ContractTerms:
    """The terms in force for the merchant at ``at``; raises ``NoContract``."""
    return version_in_force(contract_versions(conn, alliance_id, merchant_id), at).terms
