"""The alliance's points economics: what points are worth, who earns, limits for merchants.

One ``LoyaltySettings`` per alliance, set by its operators. The counter reads the redeem
side (points value, share of a bill, minimum order), the pending window and the backfill
limits; earn evaluation reads the members-only switch, the growth rate and the caps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from guildcard.loyalty.domain.errors import SettingsInvalid, UnknownSetting


@dataclass(frozen=True, slots=True)
class LoyaltySettings:
    # Paying with points: ``redeem_points_per_yuan`` points pay ¥1 (seed 002: "1000积分等于1元").
    redeem_points_per_yuan: int = 100
    max_redeem_share: Decimal = Decimal("0.5")  # at most this share of a bill is paid by points
    min_order_for_redeem_fen: int = 0  # bills below this cannot be paid with points
    # Earning (seed 000: "是否仅限会员消费才能累积积分").
    only_members_earn: bool = False
    pending_days: int = 0  # points stay pending this many days after the purchase; 0 = at once
    growth_per_yuan: Decimal = Decimal(1)  # growth value (成长值) per yuan, apart from points
    # Limits within which merchants set their own rules.
    min_points_per_yuan: Decimal = Decimal(0)
    max_points_per_yuan: Decimal = Decimal(10)
    max_category_multiplier: Decimal = Decimal(5)
    # Alliance caps: apply when a merchant sets none, and a merchant may only set lower ones.
    transaction_cap: int | None = None
    daily_cap: int | None = None
    # Backfill (补录) of past purchases.
    backfill_window_days: int = 30
    backfill_approval_threshold_fen: int = 50_000  # above this, the owner approves
    # A refund of points the member already spent: the owner or a manager may refund the cash
    # minus those points' value instead of taking the balance below zero (issue 12 item 6).
    refund_cash_for_spent_points: bool = False

    def __post_init__(self) -> None:
        problems = _problems(self)
        if problems:
            raise SettingsInvalid("; ".join(problems), problems=problems)

    def with_changes(self, changes: Mapping[str, Any]) -> LoyaltySettings:
        """A copy with ``changes`` applied (values coerced from JSON-ish input), validated."""
        known = {f.name: f for f in fields(self)}
        unknown = sorted(set(changes) - set(known))
        if unknown:
            raise UnknownSetting(f"unknown loyalty settings: {', '.join(unknown)}", fields=unknown)
        coerced = {name: _coerce(name, value, _FIELD_KINDS[name]) for name, value in changes.items()}
        return replace(self, **coerced)


_FIELD_KINDS: dict[str, str] = {
    "redeem_points_per_yuan": "int",
    "max_redeem_share": "decimal",
    "min_order_for_redeem_fen": "int",
    "only_members_earn": "bool",
    "pending_days": "int",
    "growth_per_yuan": "decimal",
    "min_points_per_yuan": "decimal",
    "max_points_per_yuan": "decimal",
    "max_category_multiplier": "decimal",
    "transaction_cap": "int?",
    "daily_cap": "int?",
    "backfill_window_days": "int",
    "backfill_approval_threshold_fen": "int",
    "refund_cash_for_spent_points": "bool",
}


def _coerce(name: str, value: Any, kind: str) -> Any:
    if kind.endswith("?"):
        if value is None:
            return None
        kind = kind[:-1]
    if kind == "bool":
        if isinstance(value, bool):
            return value
    elif kind == "int":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif kind == "decimal":
        return to_decimal(value, name)
    raise SettingsInvalid(f"{name}: expected {kind}, got {value!r}", field=name)


def to_decimal(value: Any, name: str) -> Decimal:
    """A finite Decimal from an int, a Decimal or a numeric string; never from a float."""
    if isinstance(value, (bool, float)):
        raise SettingsInvalid(f"{name}: give a decimal as a string, not {value!r}", field=name)
    try:
        result = Decimal(value)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise SettingsInvalid(f"{name}: not a number: {value!r}", field=name) from exc
    if not result.is_finite():
        raise SettingsInvalid(f"{name}: not a finite number: {value!r}", field=name)
    return result


def _problems(s: LoyaltySettings) -> list[str]:
    checks = [
        (s.redeem_points_per_yuan > 0, "redeem_points_per_yuan must be positive"),
        (Decimal(0) <= s.max_redeem_share <= 1, "max_redeem_share must lie between 0 and 1"),
        (s.min_order_for_redeem_fen >= 0, "min_order_for_redeem_fen cannot be negative"),
        (s.pending_days >= 0, "pending_days cannot be negative"),
        (s.growth_per_yuan >= 0, "growth_per_yuan cannot be negative"),
        (s.min_points_per_yuan >= 0, "min_points_per_yuan cannot be negative"),
        (s.min_points_per_yuan <= s.max_points_per_yuan, "min_points_per_yuan exceeds max_points_per_yuan"),
        (s.max_category_multiplier >= 1, "max_category_multiplier must be at least 1"),
        (s.transaction_cap is None or s.transaction_cap >= 0, "transaction_cap cannot be negative"),
        (s.daily_cap is None or s.daily_cap >= 0, "daily_cap cannot be negative"),
        (s.backfill_window_days >= 0, "backfill_window_days cannot be negative"),
        (s.backfill_approval_threshold_fen >= 0, "backfill_approval_threshold_fen cannot be negative"),
    ]
    return [message for ok, message in checks if not ok]
