"""What other contexts read from the loyalty context, on the caller's connection.

The counter reads the settings, the merchant's rules in force and the campaigns within their
dates through these functions, inside its own command's transaction (never the loyalty tables).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from guildcard.loyalty.domain import Campaign, LoyaltySettings, MerchantEarnRules, default_rules
from guildcard.loyalty.storage.repository import LoyaltyRepository


def settings(conn: Connection, alliance_id: str) -> LoyaltySettings:
    """The alliance's settings; the defaults until an operator changes one."""
    return LoyaltyRepository(conn).get_settings(alliance_id) or LoyaltySettings()


def rules_in_force(conn: Connection, alliance_id: str, merchant_id: str, at: datetime) -> MerchantEarnRules:
    """The merchant's earn rules in force at ``at`` (the defaults if none took effect yet)."""
    return LoyaltyRepository(conn).rules_in_force(alliance_id, merchant_id, at) or default_rules(merchant_id)


def campaigns_within_dates(conn: Connection, alliance_id: str, at: datetime) -> list[Campaign]:
    """Campaigns whose date range contains ``at``; weekdays and hours are the domain's to judge."""
    return LoyaltyRepository(conn).campaigns_within_dates(alliance_id, at)
