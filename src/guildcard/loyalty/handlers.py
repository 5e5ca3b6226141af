"""The loyalty context's write commands and their handlers, run by the command bus (see pipeline/).

Each change of settings, merchant rules or campaigns writes an audit line naming its actor,
emits an event (values and ids only), and bumps the alliance's ``loyalty`` configuration
version in the same transaction so that every versioned cache of them reloads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, time
from decimal import Decimal
from typing import Any

from guildcard.kernel.clock import ensure_utc
from guildcard.kernel.ids import new_id
from guildcard.loyalty import campaign_budgets, codec
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
)
from guildcard.loyalty.storage.repository import LoyaltyRepository
from guildcard.pipeline import Command, Handlers, Work, versions

handlers = Handlers("loyalty")

CAMPAIGN_EDITABLE = frozenset({f.name for f in fields(Campaign)} - {"campaign_id", "ended_at"})

# Replays of rules and campaigns go through the loyalty codec, which storage uses too: the
# default (pydantic) codec cannot dump the rules' read-only mapping, and it reloads times with
# its own tzinfo class instead of ``datetime.UTC``. Settings round-trip exactly by default.
_RULES_CODEC: dict[str, Any] = {
    "remember": codec.rules_to_dict,
    "replay": lambda stored, _work: codec.rules_from_dict(stored),
}
_CAMPAIGN_CODEC: dict[str, Any] = {
    "remember": codec.campaign_to_dict,
    "replay": lambda stored, _work: codec.campaign_from_dict(stored),
}


@dataclass(frozen=True, kw_only=True)
class LoyaltyCommand(Command):
    def identity(self) -> Mapping[str, Any]:
        # Sets sorted and Decimals as exact strings: the fingerprint's default ``str()`` of a
        # set follows hash order, which differs between processes.
        result: Mapping[str, Any] = codec.canon(super().identity())
        return result


@dataclass(frozen=True, kw_only=True)
class UpdateSettings(LoyaltyCommand):
    scope = "loyalty.update_settings"
    changes: Mapping[str, Any]  # field -> value, coerced and validated by ``LoyaltySettings``


@dataclass(frozen=True, kw_only=True)
class SetMerchantRules(LoyaltyCommand):
    scope = "loyalty.set_merchant_rules"
    merchant_id: str
    category_multipliers: Mapping[str, Decimal] = field(default_factory=dict)
    transaction_cap: int | None = None
    daily_cap: int | None = None
    min_amount_fen: int = 0
    effective_from: datetime | None = None  # None: from now


@dataclass(frozen=True, kw_only=True)
class CreateCampaign(LoyaltyCommand):
    scope = "loyalty.create_campaign"
    name: str
    multiplier: Decimal
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    weekdays: frozenset[int] = frozenset()
    time_from: time | None = None
    time_to: time | None = None
    merchant_ids: frozenset[str] = frozenset()
    trade_categories: frozenset[str] = frozenset()
    members_only: bool = True
    budget_points: int | None = None  # the most extra points in all (None: no budget)


@dataclass(frozen=True, kw_only=True)
class UpdateCampaign(LoyaltyCommand):
    scope = "loyalty.update_campaign"
    campaign_id: str
    changes: Mapping[str, Any]  # any of ``CAMPAIGN_EDITABLE``


@dataclass(frozen=True, kw_only=True)
class EndCampaign(LoyaltyCommand):
    scope = "loyalty.end_campaign"
    campaign_id: str


@handlers.register()
def update_settings(command: UpdateSettings, work: Work) -> LoyaltySettings:
    repo = LoyaltyRepository(work.connection)
    settings = repo.lock_settings(work.alliance_id, now=work.now).with_changes(command.changes)
    repo.save_settings(work.alliance_id, settings, actor_id=work.actor.id, now=work.now)
    changes = codec.canon(dict(command.changes))
    work.audit(
        "loyalty.update_settings", object_type="loyalty_settings", object_id=work.alliance_id,
        details={"changes": changes},
    )  # fmt: skip
    _changed(work, "loyalty.settings_changed", work.alliance_id, changes=changes)
    return settings


@handlers.register(**_RULES_CODEC)
def set_merchant_rules(command: SetMerchantRules, work: Work) -> MerchantEarnRules:
    """New rules for a merchant from ``effective_from`` (default: now); older rows stay."""
    starts = work.now if command.effective_from is None else ensure_utc(command.effective_from)
    if starts < work.now:
        raise RulesBackdated(effective_from=starts.isoformat())
    rules = MerchantEarnRules(
        merchant_id=command.merchant_id,
        category_multipliers=dict(command.category_multipliers),
        transaction_cap=command.transaction_cap,
        daily_cap=command.daily_cap,
        min_amount_fen=command.min_amount_fen,
        effective_from=starts,
    )
    repo = LoyaltyRepository(work.connection)
    # Read the limits under a lock so a concurrent tightening cannot slip between.
    check_rules_within_limits(rules, repo.lock_settings(work.alliance_id, now=work.now))
    if repo.rules_exist_at(work.alliance_id, rules.merchant_id, starts):
        raise RulesAlreadyScheduled(merchant_id=rules.merchant_id, effective_from=starts.isoformat())
    repo.add_rules(work.alliance_id, rules, actor_id=work.actor.id, now=work.now)
    values = codec.rules_to_dict(rules)
    work.audit(
        "loyalty.set_merchant_rules", object_type="merchant_rules", object_id=rules.merchant_id,
        merchant_id=rules.merchant_id, details=values,
    )  # fmt: skip
    _changed(work, "loyalty.rules_changed", rules.merchant_id, **values)
    return rules


@handlers.register(**_CAMPAIGN_CODEC)
def create_campaign(command: CreateCampaign, work: Work) -> Campaign:
    draft = {f.name: getattr(command, f.name) for f in fields(command) if f.name in CAMPAIGN_EDITABLE}
    campaign = Campaign(campaign_id=new_id("cmp"), **_campaign_changes(draft))
    LoyaltyRepository(work.connection).add_campaign(
        work.alliance_id, campaign, actor_id=work.actor.id, now=work.now
    )
    campaign_budgets.open_budget(work.connection, work.alliance_id, campaign)
    _campaign_changed(work, "create_campaign", "loyalty.campaign_started", campaign)
    return campaign


@handlers.register(**_CAMPAIGN_CODEC)
def update_campaign(command: UpdateCampaign, work: Work) -> Campaign:
    """Change a campaign that has not ended (name, multiplier, window, scope)."""
    unknown = sorted(set(command.changes) - CAMPAIGN_EDITABLE)
    if unknown:
        raise CampaignInvalid(f"cannot change {', '.join(unknown)}", fields=unknown)
    campaign = _open_campaign(work, command.campaign_id)
    updated = replace(campaign, **_campaign_changes(command.changes))
    LoyaltyRepository(work.connection).save_campaign(work.alliance_id, updated, now=work.now)
    campaign_budgets.open_budget(work.connection, work.alliance_id, updated)
    _campaign_changed(work, "update_campaign", "loyalty.campaign_changed", updated)
    return updated


@handlers.register(**_CAMPAIGN_CODEC)
def end_campaign(command: EndCampaign, work: Work) -> Campaign:
    """End a campaign now: it no longer applies to purchases from this moment."""
    campaign = _open_campaign(work, command.campaign_id)
    ended = replace(campaign, ends_at=work.now, ended_at=work.now)
    LoyaltyRepository(work.connection).save_campaign(
        work.alliance_id, ended, now=work.now, ended_by=work.actor.id
    )
    _campaign_changed(work, "end_campaign", "loyalty.campaign_ended", ended)
    return ended


def _open_campaign(work: Work, campaign_id: str) -> Campaign:
    repo = LoyaltyRepository(work.connection)
    campaign = repo.get_campaign(work.alliance_id, campaign_id, for_update=True)
    if campaign is None:
        raise CampaignNotFound(campaign_id=campaign_id)
    if campaign.ended_at is not None or (campaign.ends_at is not None and campaign.ends_at <= work.now):
        raise CampaignEnded(campaign_id=campaign_id)
    return campaign


def _campaign_changes(changes: Mapping[str, Any]) -> dict[str, Any]:
    result = dict(changes)
    for name in ("weekdays", "merchant_ids", "trade_categories"):
        if name in result:
            result[name] = frozenset(result[name])
    for name in ("starts_at", "ends_at"):
        if result.get(name) is not None:
            result[name] = ensure_utc(result[name])
    return result


def _campaign_changed(work: Work, action: str, event: str, campaign: Campaign) -> None:
    values = codec.campaign_to_dict(campaign)
    work.audit(f"loyalty.{action}", object_type="campaign", object_id=campaign.campaign_id, details=values)
    _changed(work, event, campaign.campaign_id, campaign=values)


def _changed(work: Work, event: str, subject: str, **payload: Any) -> None:
    """Emit the change and bump the version that versioned caches of loyalty settings check."""
    work.emit(event, subject, **payload)
    versions.bump(work.connection, work.alliance_id, versions.Topic.LOYALTY)


# Tier commands register on this group too (imported last: they use ``LoyaltyCommand``).
from guildcard.loyalty import card_handlers, tier_handlers, topup_code_handlers, wallet_handlers  # noqa: E402, F401
