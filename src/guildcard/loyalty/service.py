"""Loyalty service: alliance settings, merchant earn rules and campaigns.

Operators manage settings and campaigns; owners set their merchant's rules within the
alliance limits (who may call what is checked at the entry points, once auth lands).
Every write takes an idempotency key: a replay returns the first result with
``replayed=True``; the same key with a different request raises ``IdempotencyConflict``.

Errors raised: ``SettingsInvalid``, ``UnknownSetting`` (update_settings);
``RulesInvalid``, ``RuleOutsideLimits``, ``RulesBackdated``, ``RulesAlreadyScheduled``
(set_merchant_rules); ``CampaignInvalid``, ``CampaignNotFound``, ``CampaignEnded``
(campaigns); ``IdempotencyConflict`` (every write).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import datetime, time
from decimal import Decimal
from typing import Any, Generic, TypeVar

from guildcard.db import idempotency
from guildcard.db.engine import Database
from guildcard.db.uow import SqlUnitOfWork
from guildcard.kernel.clock import Clock, ensure_utc
from guildcard.kernel.fingerprint import fingerprint
from guildcard.kernel.ids import new_id
from guildcard.loyalty import codec
from guildcard.loyalty.domain import (
    Campaign,
    CampaignEnded,
    CampaignInvalid,
    CampaignNotFound,
    LoyaltySettings,
    MerchantEarnRules,
    RulesAlreadyScheduled,
    RulesBackdated,
    check_rules_within_limits,
    default_rules,
)
from guildcard.loyalty.handlers import handlers
from guildcard.loyalty.storage.repository import LoyaltyRepository
from guildcard.pipeline import CommandBus

T = TypeVar("T")

_CAMPAIGN_EDITABLE = {f.name for f in fields(Campaign)} - {"campaign_id", "ended_at"}


@dataclass(frozen=True, slots=True)
class Written(Generic[T]):
    """The result of a write command, and whether it replays an earlier one."""

    value: T
    replayed: bool = False


class LoyaltyUnitOfWork(SqlUnitOfWork):
    @property
    def repo(self) -> LoyaltyRepository:
        return LoyaltyRepository(self.connection)


class LoyaltyService:
    def __init__(self, database: Database, clock: Clock, *, bus: CommandBus | None = None) -> None:
        self.database = database
        self.clock = clock
        self.bus = bus or CommandBus(database, clock, [handlers])

    # --- reads -------------------------------------------------------------------------

    def get_settings(self, *, alliance_id: str) -> LoyaltySettings:
        """The alliance's settings; the defaults until an operator changes one."""
        with self.database.read() as conn:
            return LoyaltyRepository(conn).get_settings(alliance_id) or LoyaltySettings()

    def rules_in_force(self, *, alliance_id: str, merchant_id: str, at: datetime) -> MerchantEarnRules:
        """The owner's rules in force at ``at`` (the defaults if none took effect yet)."""
        with self.database.read() as conn:
            found = LoyaltyRepository(conn).rules_in_force(alliance_id, merchant_id, ensure_utc(at))
        return found or default_rules(merchant_id)

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
            candidates = LoyaltyRepository(conn).campaigns_within_dates(alliance_id, at)
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

        def work(uow: LoyaltyUnitOfWork, now: datetime) -> dict[str, Any]:
            settings = uow.repo.lock_settings(alliance_id, now=now).with_changes(changes)
            uow.repo.save_settings(alliance_id, settings, actor_id=actor_id, now=now)
            return codec.settings_to_dict(settings)

        request = {"changes": codec.canon(dict(changes))}
        return self._write(alliance_id, "loyalty.update_settings", idempotency_key, request, work).map(
            codec.settings_from_dict
        )

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
        request = {
            "merchant_id": merchant_id,
            "category_multipliers": codec.canon(dict(category_multipliers or {})),
            "transaction_cap": transaction_cap,
            "daily_cap": daily_cap,
            "min_amount_fen": min_amount_fen,
            "effective_from": codec.canon(effective_from),
        }

        def work(uow: LoyaltyUnitOfWork, now: datetime) -> dict[str, Any]:
            starts = now if effective_from is None else ensure_utc(effective_from)
            if starts < now:
                raise RulesBackdated(effective_from=starts.isoformat())
            rules = MerchantEarnRules(
                merchant_id=merchant_id,
                category_multipliers=dict(category_multipliers or {}),
                transaction_cap=transaction_cap,
                daily_cap=daily_cap,
                min_amount_fen=min_amount_fen,
                effective_from=starts,
            )
            # Read the limits under a lock so a concurrent tightening cannot slip between.
            check_rules_within_limits(rules, uow.repo.lock_settings(alliance_id, now=now))
            if uow.repo.rules_exist_at(alliance_id, merchant_id, starts):
                raise RulesAlreadyScheduled(merchant_id=merchant_id, effective_from=starts.isoformat())
            uow.repo.add_rules(alliance_id, rules, actor_id=actor_id, now=now)
            return codec.rules_to_dict(rules)

        return self._write(alliance_id, "loyalty.set_merchant_rules", idempotency_key, request, work).map(
            codec.rules_from_dict
        )

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
        actor_id: str,
        idempotency_key: str,
    ) -> Written[Campaign]:
        draft: dict[str, Any] = {
            "name": name,
            "multiplier": multiplier,
            "starts_at": None if starts_at is None else ensure_utc(starts_at),
            "ends_at": None if ends_at is None else ensure_utc(ends_at),
            "weekdays": frozenset(weekdays),
            "time_from": time_from,
            "time_to": time_to,
            "merchant_ids": frozenset(merchant_ids),
            "trade_categories": frozenset(trade_categories),
            "members_only": members_only,
        }

        def work(uow: LoyaltyUnitOfWork, now: datetime) -> dict[str, Any]:
            campaign = Campaign(campaign_id=new_id("cmp"), **draft)
            uow.repo.add_campaign(alliance_id, campaign, actor_id=actor_id, now=now)
            return codec.campaign_to_dict(campaign)

        return self._write(
            alliance_id, "loyalty.create_campaign", idempotency_key, codec.canon(draft), work
        ).map(codec.campaign_from_dict)

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
        unknown = sorted(set(changes) - _CAMPAIGN_EDITABLE)
        if unknown:
            raise CampaignInvalid(f"cannot change {', '.join(unknown)}", fields=unknown)
        request = {"campaign_id": campaign_id, "changes": codec.canon(dict(changes))}

        def work(uow: LoyaltyUnitOfWork, now: datetime) -> dict[str, Any]:
            campaign = self._open_campaign(uow, alliance_id, campaign_id, now)
            updated = replace(campaign, **_campaign_changes(changes))
            uow.repo.save_campaign(alliance_id, updated, now=now)
            return codec.campaign_to_dict(updated)

        return self._write(alliance_id, "loyalty.update_campaign", idempotency_key, request, work).map(
            codec.campaign_from_dict
        )

    def end_campaign(
        self, *, alliance_id: str, campaign_id: str, actor_id: str, idempotency_key: str
    ) -> Written[Campaign]:
        """End a campaign now: it no longer applies to purchases from this moment."""

        def work(uow: LoyaltyUnitOfWork, now: datetime) -> dict[str, Any]:
            campaign = self._open_campaign(uow, alliance_id, campaign_id, now)
            ended = replace(campaign, ends_at=now, ended_at=now)
            uow.repo.save_campaign(alliance_id, ended, now=now, ended_by=actor_id)
            return codec.campaign_to_dict(ended)

        request = {"campaign_id": campaign_id}
        return self._write(alliance_id, "loyalty.end_campaign", idempotency_key, request, work).map(
            codec.campaign_from_dict
        )

    # --- plumbing ----------------------------------------------------------------------

    @staticmethod
    def _open_campaign(uow: LoyaltyUnitOfWork, alliance_id: str, campaign_id: str, now: datetime) -> Campaign:
        campaign = uow.repo.get_campaign(alliance_id, campaign_id, for_update=True)
        if campaign is None:
            raise CampaignNotFound(campaign_id=campaign_id)
        if campaign.ended_at is not None or (campaign.ends_at is not None and campaign.ends_at <= now):
            raise CampaignEnded(campaign_id=campaign_id)
        return campaign

    def _write(
        self,
        alliance_id: str,
        scope: str,
        key: str,
        request: Mapping[str, Any],
        work: Callable[[LoyaltyUnitOfWork, datetime], dict[str, Any]],
    ) -> _Raw:
        now = self.clock.now()
        with LoyaltyUnitOfWork(self.database) as uow:
            replay = idempotency.claim(
                uow.connection,
                alliance_id=alliance_id,
                scope=scope,
                key=key,
                fingerprint=fingerprint(request),
                now=now,
            )
            if replay is not None:
                return _Raw(dict(replay), replayed=True)
            response = work(uow, now)
            idempotency.remember(
                uow.connection, alliance_id=alliance_id, scope=scope, key=key, response=response
            )
            uow.commit()
            return _Raw(response, replayed=False)


@dataclass(frozen=True, slots=True)
class _Raw:
    data: dict[str, Any]
    replayed: bool

    def map(self, decode: Callable[[dict[str, Any]], T]) -> Written[T]:
        return Written(decode(self.data), replayed=self.replayed)


def _campaign_changes(changes: Mapping[str, Any]) -> dict[str, Any]:
    result = dict(changes)
    for name in ("weekdays", "merchant_ids", "trade_categories"):
        if name in result:
            result[name] = frozenset(result[name])
    for name in ("starts_at", "ends_at"):
        if result.get(name) is not None:
            result[name] = ensure_utc(result[name])
    return result
