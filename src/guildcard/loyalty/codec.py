"""Loyalty values to and from JSON-safe dicts: stored replay responses, rows, API bodies.

Decimals travel as exact strings, times as ISO 8601, sets as sorted lists.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, fields
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from guildcard.loyalty.domain import Campaign, LoyaltySettings, MerchantEarnRules

_SETTINGS_FIELDS = [f.name for f in fields(LoyaltySettings)]


def canon(value: Any) -> Any:
    """A JSON-safe, order-stable form of ``value`` (for fingerprints and stored responses)."""
    if isinstance(value, Mapping):
        return {str(k): canon(v) for k, v in sorted(value.items())}
    if isinstance(value, set | frozenset):
        return sorted(canon(v) for v in value)
    if isinstance(value, list | tuple):
        return [canon(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def settings_to_dict(settings: LoyaltySettings) -> dict[str, Any]:
    result: dict[str, Any] = canon(asdict(settings))
    return result


def settings_from_dict(data: Mapping[str, Any]) -> LoyaltySettings:
    return LoyaltySettings().with_changes({k: data[k] for k in _SETTINGS_FIELDS if k in data})


def rules_to_dict(rules: MerchantEarnRules) -> dict[str, Any]:
    return {
        "merchant_id": rules.merchant_id,
        "category_multipliers": canon(dict(rules.category_multipliers)),
        "transaction_cap": rules.transaction_cap,
        "daily_cap": rules.daily_cap,
        "min_amount_fen": rules.min_amount_fen,
        "effective_from": canon(rules.effective_from),
    }


def rules_from_dict(data: Mapping[str, Any]) -> MerchantEarnRules:
    effective = data.get("effective_from")
    return MerchantEarnRules(
        merchant_id=data["merchant_id"],
        category_multipliers={k: Decimal(v) for k, v in data["category_multipliers"].items()},
        transaction_cap=data.get("transaction_cap"),
        daily_cap=data.get("daily_cap"),
        min_amount_fen=data.get("min_amount_fen", 0),
        effective_from=_datetime(effective) if isinstance(effective, str) else effective,
    )


def campaign_to_dict(campaign: Campaign) -> dict[str, Any]:
    result: dict[str, Any] = canon({f.name: getattr(campaign, f.name) for f in fields(Campaign)})
    return result


def campaign_from_dict(data: Mapping[str, Any]) -> Campaign:
    return Campaign(
        campaign_id=data["campaign_id"],
        name=data["name"],
        multiplier=Decimal(data["multiplier"]),
        starts_at=_maybe(_datetime, data.get("starts_at")),
        ends_at=_maybe(_datetime, data.get("ends_at")),
        weekdays=frozenset(data.get("weekdays") or ()),
        time_from=_maybe(time.fromisoformat, data.get("time_from")),
        time_to=_maybe(time.fromisoformat, data.get("time_to")),
        merchant_ids=frozenset(data.get("merchant_ids") or ()),
        trade_categories=frozenset(data.get("trade_categories") or ()),
        members_only=bool(data.get("members_only", True)),
        budget_points=data.get("budget_points"),
        ended_at=_maybe(_datetime, data.get("ended_at")),
    )


def _datetime(value: str | datetime) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _maybe(convert: Any, value: Any) -> Any:
    if value is None or not isinstance(value, str):
        return value
    return convert(value)
