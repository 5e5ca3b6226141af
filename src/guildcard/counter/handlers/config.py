"""The alliance's loyalty configuration as the counter applies it: one copy per process, kept current.

Settings, every merchant's rules (all their versions) and the campaigns change rarely and are
read by every purchase. The counter keeps them in a ``VersionedCache`` under the "loyalty" topic,
which every change of settings, rules or campaigns bumps in its own transaction: a purchase
reads only the alliance's version row (shared with the ledger's settings) and picks the rules
and campaigns in force at the purchase's time here, as the loyalty context's queries would.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from guildcard.loyalty.domain import Campaign, LoyaltySettings, MerchantEarnRules
from guildcard.loyalty.storage.repository import LoyaltyRepository

TOPIC = "loyalty"


@dataclass(frozen=True)
class LoyaltyConfig:
    settings: LoyaltySettings
    rules: tuple[MerchantEarnRules, ...]  # every version of every merchant's rules
    campaigns: tuple[Campaign, ...]  # ordered by id

    def rules_in_force(self, merchant_id: str, at: datetime) -> MerchantEarnRules | None:
        """The merchant's rules with the latest ``effective_from`` not after ``at``."""
        candidates = [
            r
            for r in self.rules
            if r.merchant_id == merchant_id and r.effective_from and r.effective_from <= at
        ]
        return max(candidates, key=lambda r: r.effective_from or at) if candidates else None

    def campaigns_within_dates(self, at: datetime) -> list[Campaign]:
        """Campaigns whose date range contains ``at``; weekdays and hours are the earn rules' to judge."""
        return [
            c
            for c in self.campaigns
            if (c.starts_at is None or c.starts_at <= at) and (c.ends_at is None or c.ends_at > at)
        ]


def load_loyalty(conn: Connection, alliance_id: str) -> LoyaltyConfig:
    repo = LoyaltyRepository(conn)
    return LoyaltyConfig(
        repo.get_settings(alliance_id) or LoyaltySettings(),
        tuple(repo.all_rules(alliance_id)),
        tuple(repo.list_campaigns(alliance_id)),
    )
