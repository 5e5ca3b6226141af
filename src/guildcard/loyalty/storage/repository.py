"""The loyalty repository: reads and writes rows inside the caller's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from guildcard.loyalty import codec
from guildcard.loyalty.domain import Campaign, LoyaltySettings, MerchantEarnRules
from guildcard.loyalty.storage.tables import loyalty_campaigns as campaigns_t
from guildcard.loyalty.storage.tables import loyalty_merchant_rules as rules_t
from guildcard.loyalty.storage.tables import loyalty_settings as settings_t

_SETTINGS_COLUMNS = list(codec.settings_to_dict(LoyaltySettings()))


class LoyaltyRepository:
    def __init__(self, connection: Connection) -> None:
        self.conn = connection

    # --- settings ----------------------------------------------------------------------

    def get_settings(self, alliance_id: str, *, for_update: bool = False) -> LoyaltySettings | None:
        query = select(*(settings_t.c[name] for name in _SETTINGS_COLUMNS)).where(
            settings_t.c.alliance_id == alliance_id
        )
        row = self.conn.execute(query.with_for_update() if for_update else query).mappings().first()
        return None if row is None else codec.settings_from_dict(dict(row))

    def lock_settings(self, alliance_id: str, *, now: datetime) -> LoyaltySettings:
        """The alliance's settings, its row locked until commit (created with defaults)."""
        values = {
            **codec.settings_to_dict(LoyaltySettings()),
            "alliance_id": alliance_id,
            "version": 0,
            "updated_at": now,
        }
        dialect_insert = pg_insert if self.conn.dialect.name == "postgresql" else sqlite_insert
        self.conn.execute(dialect_insert(settings_t).values(**values).on_conflict_do_nothing())
        settings = self.get_settings(alliance_id, for_update=True)
        assert settings is not None
        return settings

    def save_settings(
        self, alliance_id: str, settings: LoyaltySettings, *, actor_id: str, now: datetime
    ) -> None:
        self.conn.execute(
            update(settings_t)
            .where(settings_t.c.alliance_id == alliance_id)
            .values(
                **codec.settings_to_dict(settings),
                version=settings_t.c.version + 1,
                updated_at=now,
                updated_by=actor_id,
            )
        )

    # --- merchant rules ----------------------------------------------------------------

    def add_rules(self, alliance_id: str, rules: MerchantEarnRules, *, actor_id: str, now: datetime) -> None:
        data = codec.rules_to_dict(rules)
        self.conn.execute(
            insert(rules_t).values(
                alliance_id=alliance_id,
                merchant_id=rules.merchant_id,
                effective_from=rules.effective_from,
                category_multipliers=data["category_multipliers"],
                transaction_cap=rules.transaction_cap,
                daily_cap=rules.daily_cap,
                min_amount_fen=rules.min_amount_fen,
                created_at=now,
                created_by=actor_id,
            )
        )

    def rules_exist_at(self, alliance_id: str, merchant_id: str, effective_from: datetime) -> bool:
        query = select(rules_t.c.merchant_id).where(
            rules_t.c.alliance_id == alliance_id,
            rules_t.c.merchant_id == merchant_id,
            rules_t.c.effective_from == effective_from,
        )
        return self.conn.execute(query).first() is not None

    def rules_history(self, alliance_id: str, merchant_id: str) -> list[MerchantEarnRules]:
        query = self._rules_query(alliance_id, merchant_id).order_by(rules_t.c.effective_from)
        return [_rules(row) for row in self.conn.execute(query).mappings()]

    def all_rules(self, alliance_id: str) -> list[MerchantEarnRules]:
        """Every version of every merchant's rules in the alliance, oldest first."""
        query = select(rules_t).where(rules_t.c.alliance_id == alliance_id).order_by(rules_t.c.effective_from)
        return [_rules(row) for row in self.conn.execute(query).mappings()]

    @staticmethod
    def _rules_query(alliance_id: str, merchant_id: str) -> Any:
        return select(rules_t).where(
            rules_t.c.alliance_id == alliance_id, rules_t.c.merchant_id == merchant_id
        )

    # --- campaigns ---------------------------------------------------------------------

    def add_campaign(self, alliance_id: str, campaign: Campaign, *, actor_id: str, now: datetime) -> None:
        self.conn.execute(
            insert(campaigns_t).values(
                alliance_id=alliance_id,
                **_campaign_values(campaign),
                created_at=now,
                updated_at=now,
                created_by=actor_id,
            )
        )

    def save_campaign(
        self, alliance_id: str, campaign: Campaign, *, now: datetime, ended_by: str | None = None
    ) -> None:
        values = _campaign_values(campaign)
        if ended_by is not None:
            values["ended_by"] = ended_by
        self.conn.execute(
            update(campaigns_t)
            .where(
                campaigns_t.c.alliance_id == alliance_id, campaigns_t.c.campaign_id == campaign.campaign_id
            )
            .values(**values, updated_at=now)
        )

    def get_campaign(
        self, alliance_id: str, campaign_id: str, *, for_update: bool = False
    ) -> Campaign | None:
        query = select(campaigns_t).where(
            campaigns_t.c.alliance_id == alliance_id, campaigns_t.c.campaign_id == campaign_id
        )
        row = self.conn.execute(query.with_for_update() if for_update else query).mappings().first()
        return None if row is None else codec.campaign_from_dict(dict(row))

    def list_campaigns(self, alliance_id: str) -> list[Campaign]:
        query = (
            select(campaigns_t)
            .where(campaigns_t.c.alliance_id == alliance_id)
            .order_by(campaigns_t.c.campaign_id)
        )
        return [codec.campaign_from_dict(dict(row)) for row in self.conn.execute(query).mappings()]


def _rules(row: Any) -> MerchantEarnRules:
    return codec.rules_from_dict(dict(row))


def _campaign_values(campaign: Campaign) -> dict[str, Any]:
    data = codec.campaign_to_dict(campaign)
    return {
        **data,
        "starts_at": campaign.starts_at,
        "ends_at": campaign.ends_at,
        "ended_at": campaign.ended_at,
    }
