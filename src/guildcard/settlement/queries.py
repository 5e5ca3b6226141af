"""What other contexts read from the settlement context, on the caller's connection."""

from __future__ import annotations

from sqlalchemy import Connection

from guildcard.settlement.issuance import check_issuance
from guildcard.settlement.storage.repository import SettlementRepository

__all__ = ["check_issuance", "limited_merchants"]


def limited_merchants(conn: Connection, alliance_id: str) -> frozenset[str]:
    """The merchants that have an issuance limit (the others award without a check)."""
    return frozenset(limit.merchant_id for limit in SettlementRepository(conn, alliance_id).limits())
