"""Loyalty service: alliance settings, merchant earn rules and campaigns.

Operators manage settings and campaigns; owners set their merchant's rules within the
alliance limits (who may call what is checked at the entry points, once auth lands).
Every write is a command on the bus (handlers.py) and takes an idempotency key: a replay
returns the first result with ``replayed=True``; the same key with a different request raises
``IdempotencyConflict``. Writes name their actor by id only: the audit line records operators
for settings and campaigns, the merchant's staff for its rules.

Errors raised: ``SettingsInvalid``, ``UnknownSetting`` (update_settings);
``RulesInvalid``, ``RuleOutsideLimits``, ``RulesBackdated``, ``RulesAlreadyScheduled``
(set_merchant_rules); ``CampaignInvalid``, ``CampaignNotFound``, ``CampaignEnded``
(campaigns); ``IdempotencyConflict`` (every write).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal
from typing import Any, Generic, TypeVar

from guildcard.db.engine import Database
from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.clock import Clock, ensure_utc
from guildcard.loyalty import campaign_budgets, queries
from guildcard.loyalty.campaign_budgets import BudgetUse
from guildcard.loyalty.domain import Campaign, CampaignNotFound, LoyaltySettings, MerchantEarnRules
from guildcard.loyalty.handlers import (
    CreateCampaign,
    EndCampaign,
    SetMerchantRules,
    UpdateCampaign,
    UpdateSettings,
    handlers,
)
from guildcard.loyalty.storage.repository import LoyaltyRepository
from guildcard.pipeline import Command, CommandBus

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Written(Generic[T]):
    """The result of a write command, and whether it replays an earlier one."""

    value: T
    replayed: bool = False


class LoyaltyService:
    def __init__(self, database: Database, clock: Clock, *, bus: CommandBus | None = None) -> None:
        self.database = database
        self.clock = clock
        self.bus = bus or CommandBus(database, clock, [handlers])

    # --- reads -------------------------------------------------------------------------

    def get_settings(self, *, alliance_id: str) -> LoyaltySettings:
        """The alliance's settings; the defaults until an operator changes one."""
        with self.database.read() as conn:
            return queries.settings(conn, alliance_id)

    def rules_in_force(self, *, alliance_id: str, merchant_id: str, at: datetime) -> MerchantEarnRules:
        """The owner's rules in force at ``at`` (the defaults if none took effect yet)."""
        with self.database.read() as conn:
            return queries.rules_in_force(conn, alliance_id, merchant_id, ensure_utc(at))

    def rules_history(self, *, alliance_id: str, merchant_id: str) -> list[MerchantEarnRules]:
        with self.database.read() as conn:
            return LoyaltyRepository(conn).rules_history(alliance_id, merchant_id)

    def get_campaign(self, *, alliance_id: str, campaign_id: str) -> Campaign:
        with self.database.read() as conn:
            found = LoyaltyRepository(conn).get_campaign(alliance_id, campaign_id)
        if found is None:
            raise CampaignNotFound(campaign_id=campaign_id)
        return found

    def list_campaigns(self, *, alliance_id: str) -> list[Campaign]:
        with self.database.read() as conn:
            return LoyaltyRepository(conn).list_campaigns(alliance_id)

    def budget_use(self, *, alliance_id: str, campaigns: list[Campaign]) -> dict[str, BudgetUse]:
        """What each budgeted campaign gave so far, as of now (the operator's live view)."""
        with self.database.read() as conn:
            return campaign_budgets.usage(conn, alliance_id, campaigns)

    def active_campaigns(
        self,
        *,
        alliance_id: str,
        at: datetime,
        merchant_id: str | None = None,
        category: str | None = None,
    ) -> list[Campaign]:
        """Campaigns running at ``at`` (dates, weekdays, hours), covering the merchant and
        its trade category when given. Whether the buyer is a member is left to evaluation."""
        at = ensure_utc(at)
        with self.database.read() as conn:
            candidates = queries.campaigns_within_dates(conn, alliance_id, at)
        return [
            c
            for c in candidates
            if c.is_running_at(at) and c.covers(merchant_id=merchant_id, trade_category=category)
        ]

    # --- writes ------------------------------------------------------------------------

    def update_settings(
        self, *, alliance_id: str, changes: Mapping[str, Any], actor_id: str, idempotency_key: str
    ) -> Written[LoyaltySettings]:
        """Apply ``changes`` (field -> value) to the alliance's settings, validated."""
        command = UpdateSettings(changes=dict(changes), idempotency_key=idempotency_key)
        return self._execute(_operator(alliance_id, actor_id), command)

    def set_merchant_rules(
        self,
        *,
        alliance_id: str,
        merchant_id: str,
        category_multipliers: Mapping[str, Decimal] | None = None,
        transaction_cap: int | None = None,
        daily_cap: int | None = None,
        min_amount_fen: int = 0,
        effective_from: datetime | None = None,
        actor_id: str,
        idempotency_key: str,
    ) -> Written[MerchantEarnRules]:
        """New rules for a merchant from ``effective_from`` (default: now); older rows stay."""
        command = SetMerchantRules(
            merchant_id=merchant_id,
            category_multipliers=dict(category_multipliers or {}),
            transaction_cap=transaction_cap,
            daily_cap=daily_cap,
            min_amount_fen=min_amount_fen,
            effective_from=effective_from,
            idempotency_key=idempotency_key,
        )
        owner = Actor(ActorKind.STAFF, actor_id, alliance_id, merchant_id=merchant_id)
        return self._execute(owner, command)

    def create_campaign(
        self,
        *,
        alliance_id: str,
        name: str,
        multiplier: Decimal,
        starts_at: datetime | None = None,
        ends_at: datetime | None = None,
        weekdays: Iterable[int] = (),
        time_from: time | None = None,
        time_to: time | None = None,
        merchant_ids: Iterable[str] = (),
        trade_categories: Iterable[str] = (),
        members_only: bool = True,
        budget_points: int | None = None,
        actor_id: str,
        idempotency_key: str,
    ) -> Written[Campaign]:
        command = CreateCampaign(
            name=name,
            multiplier=multiplier,
            starts_at=starts_at,
            ends_at=ends_at,
            weekdays=frozenset(weekdays),
            time_from=time_from,
            time_to=time_to,
            merchant_ids=frozenset(merchant_ids),
            trade_categories=frozenset(trade_categories),
            members_only=members_only,
            budget_points=budget_points,
            idempotency_key=idempotency_key,
        )
        return self._execute(_operator(alliance_id, actor_id), command)

    def update_campaign(
        self,
        *,
        alliance_id: str,
        campaign_id: str,
        changes: Mapping[str, Any],
        actor_id: str,
        idempotency_key: str,
    ) -> Written[Campaign]:
        """Change a campaign that has not ended (name, multiplier, window, scope)."""
        command = UpdateCampaign(
            campaign_id=campaign_id, changes=dict(changes), idempotency_key=idempotency_key
        )
        return self._execute(_operator(alliance_id, actor_id), command)

    def end_campaign(
        self, *, alliance_id: str, campaign_id: str, actor_id: str, idempotency_key: str
    ) -> Written[Campaign]:
        """End a campaign now: it no longer applies to purchases from this moment."""
        command = EndCampaign(campaign_id=campaign_id, idempotency_key=idempotency_key)
        return self._execute(_operator(alliance_id, actor_id), command)

    def _execute(self, actor: Actor, command: Command) -> Written[Any]:
        outcome = self.bus.execute(actor, command)
        return Written(outcome.value, replayed=outcome.replayed)


def _operator(alliance_id: str, actor_id: str) -> Actor:
    return Actor(ActorKind.OPERATOR, actor_id, alliance_id)
