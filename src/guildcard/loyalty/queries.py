"""What other contexts read from the loyalty context, on the caller's connection.

The counter applies the alliance's whole loyalty configuration (``config``: settings, every
version of every merchant's rules, the campaigns) to each purchase; it keeps a copy per process
in a versioned cache under the "loyalty" topic, which every change of settings, rules or campaigns bumps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from guildcard.loyalty.domain import Campaign, LoyaltySettings, MerchantEarnRules, default_rules
from guildcard.loyalty.storage.repository import LoyaltyRepository


@dataclass(frozen=True)
class LoyaltyConfig:
    settings: LoyaltySettings
    rules: tuple[MerchantEarnRules, ...]  # every version of every merchant's rules
    campaigns: tuple[Campaign, ...]  # ordered by id

    def rules_in_force(self, merchant_id: str, at: datetime) -> MerchantEarnRules:
        """The merchant's rules with the latest ``effective_from`` not after ``at`` (else the defaults)."""
        started = [r for r in self.rules if r.merchant_id == merchant_id and r.effective_from is not None]
        candidates = [r for r in started if r.effective_from is not None and r.effective_from <= at]
        if not candidates:
            return default_rules(merchant_id)
        return max(candidates, key=lambda r: r.effective_from or at)

    def campaigns_within_dates(self, at: datetime) -> list[Campaign]:
        """Campaigns whose date range contains ``at``; weekdays and hours are the domain's to judge."""
        return [
            c
            for c in self.campaigns
            if (c.starts_at is None or c.starts_at <= at) and (c.ends_at is None or c.ends_at > at)
        ]


def config(conn: Connection, alliance_id: str) -> LoyaltyConfig:
    repo = LoyaltyRepository(conn)
    return LoyaltyConfig(
        settings(conn, alliance_id),
        tuple(repo.all_rules(alliance_id)),
        tuple(repo.list_campaigns(alliance_id)),
    )


def settings(conn: Connection, alliance_id: str) -> LoyaltySettings:
    """The alliance's settings; the defaults until an operator changes one."""
    return LoyaltyRepository(conn).get_settings(alliance_id) or LoyaltySettings()


def rules_in_force(conn: Connection, alliance_id: str, merchant_id: str, at: datetime) -> MerchantEarnRules:
    """The merchant's earn rules in force at ``at`` (the defaults if none took effect yet)."""
    return config(conn, alliance_id).rules_in_force(merchant_id, at)


def campaigns_within_dates(conn: Connection, alliance_id: str, at: datetime) -> list[Campaign]:
    """Campaigns whose date range contains ``at``; weekdays and hours are the domain's to judge."""
    return config(conn, alliance_id).campaigns_within_dates(at)
