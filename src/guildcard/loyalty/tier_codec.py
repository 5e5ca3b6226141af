"""Tier designs and members' tiers to and from JSON (exact Decimal strings, enums by value)."""

from __future__ import annotations

from dataclasses import asdict, fields
from decimal import Decimal
from typing import Any

from guildcard.loyalty.domain.errors import TierSchemeInvalid
from guildcard.loyalty.domain.tiers import (
    Downgrade,
    GrowthBasis,
    MultiplierFunder,
    RefundPolicy,
    Tier,
    TierChange,
    TierReason,
    TierRules,
    TierScheme,
)

_DECIMALS = {"points_multiplier", "member_discount", "birthday_multiplier"}
_INTS = {"rank", "threshold", "gift_points"}
_ENUMS: dict[str, Any] = {
    "basis": GrowthBasis,
    "downgrade": Downgrade,
    "refund_policy": RefundPolicy,
    "multiplier_funder": MultiplierFunder,
}


def scheme_to_dict(scheme: TierScheme) -> dict[str, Any]:
    return {
        "tiers": [
            {k: str(v) if isinstance(v, Decimal) else v for k, v in asdict(t).items()} for t in scheme.tiers
        ],
        "rules": {k: (v.value if hasattr(v, "value") else v) for k, v in asdict(scheme.rules).items()},
    }


def scheme_from_dict(data: Any) -> TierScheme:
    """A scheme from stored or submitted JSON; anything malformed is ``TierSchemeInvalid``."""
    try:
        tiers = tuple(_tier(t) for t in data["tiers"])
        rules = _rules(data.get("rules") or {})
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        raise TierSchemeInvalid(f"the tier design is malformed: {exc}") from exc
    return TierScheme(tiers, rules)


def _tier(raw: Any) -> Tier:
    known = {f.name for f in fields(Tier)}
    values: dict[str, Any] = {}
    for key, value in dict(raw).items():
        if key not in known:
            raise ValueError(f"unknown tier field {key}")
        if key in _DECIMALS:
            values[key] = Decimal(str(value))
        elif key in _INTS:
            values[key] = int(value)
        elif key == "retention":
            values[key] = None if value in (None, "") else int(value)
        else:
            values[key] = str(value)
    return Tier(**values)


def _rules(raw: Any) -> TierRules:
    known = {f.name for f in fields(TierRules)}
    values: dict[str, Any] = {}
    for key, value in dict(raw).items():
        if key not in known:
            raise ValueError(f"unknown rule {key}")
        values[key] = _ENUMS[key](value) if key in _ENUMS else int(value)
    return TierRules(**values)


def change_to_dict(change: TierChange | None) -> dict[str, Any] | None:
    if change is None:
        return None
    return {**asdict(change), "reason": change.reason.value}


def change_from_dict(data: Any) -> TierChange | None:
    if data is None:
        return None
    return TierChange(**{**data, "reason": TierReason(data["reason"])})
