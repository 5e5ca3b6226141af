"""What a merchant earns on: the contract's rate (``EarnTerms``) and the owner's rules.

The alliance context owns contracts; the counter hands loyalty the terms in force as an
``EarnTerms`` value, so loyalty does not depend on it. Owners set ``MerchantEarnRules``
within the limits of the alliance's ``LoyaltySettings``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType

from guildcard.loyalty.domain.errors import RuleOutsideLimits, RulesInvalid
from guildcard.loyalty.domain.settings import LoyaltySettings

ONE = Decimal(1)


@dataclass(frozen=True, slots=True)
class EarnTerms:
    """The earn side of the merchant's contract in force at the time of a purchase."""

    merchant_id: str
    points_per_yuan: Decimal
    trade_category: str = ""  # the merchant's trade (catering, beauty...): campaigns may target it

    def __post_init__(self) -> None:
        if not self.points_per_yuan.is_finite() or self.points_per_yuan < 0:
            raise RulesInvalid("points_per_yuan must be a non-negative number", field="points_per_yuan")


def check_terms_within_limits(terms: EarnTerms, settings: LoyaltySettings) -> None:
    """For the alliance context: a contract's rate must lie within the alliance limits."""
    low, high = settings.min_points_per_yuan, settings.max_points_per_yuan
    if not low <= terms.points_per_yuan <= high:
        raise RuleOutsideLimits(
            f"earn rate {terms.points_per_yuan} pt/¥ is outside the alliance limits {low}-{high}",
            field="points_per_yuan",
        )


@dataclass(frozen=True, slots=True)
class MerchantEarnRules:
    """The owner's rules: per-category multipliers, caps and a minimum amount to earn.

    ``category_multipliers`` maps a product category (as the counter sends it on purchase
    lines, e.g. "drinks") to a multiplier of the base rate; 0 means no points there.
    """

    merchant_id: str
    category_multipliers: Mapping[str, Decimal] = field(default_factory=dict)
    transaction_cap: int | None = None  # most points one purchase earns
    daily_cap: int | None = None  # most points one member earns here in one business day
    min_amount_fen: int = 0  # purchases below this earn no points
    effective_from: datetime | None = None  # set by storage: when these rules take effect

    def __post_init__(self) -> None:
        problems = []
        for category, multiplier in self.category_multipliers.items():
            if not category:
                problems.append("a category multiplier needs a category")
            if not multiplier.is_finite() or multiplier < 0:
                problems.append(f"multiplier for {category!r} cannot be negative")
        for name in ("transaction_cap", "daily_cap"):
            value = getattr(self, name)
            if value is not None and value < 0:
                problems.append(f"{name} cannot be negative")
        if self.min_amount_fen < 0:
            problems.append("min_amount_fen cannot be negative")
        if problems:
            raise RulesInvalid("; ".join(problems), problems=problems)
        # A read-only copy: frozen means frozen, even for the mapping inside.
        frozen = MappingProxyType(dict(sorted(self.category_multipliers.items())))
        object.__setattr__(self, "category_multipliers", frozen)

    def multiplier_for(self, category: str) -> Decimal:
        return self.category_multipliers.get(category, ONE)


def default_rules(merchant_id: str) -> MerchantEarnRules:
    """The rules of a merchant whose owner set none: the base rate, alliance caps only."""
    return MerchantEarnRules(merchant_id=merchant_id)


def check_rules_within_limits(rules: MerchantEarnRules, settings: LoyaltySettings) -> None:
    """Raise ``RuleOutsideLimits`` naming every rule the alliance limits do not allow."""
    problems = [
        f"multiplier {multiplier} for {category!r} exceeds the alliance maximum "
        f"{settings.max_category_multiplier}"
        for category, multiplier in rules.category_multipliers.items()
        if multiplier > settings.max_category_multiplier
    ]
    for name in ("transaction_cap", "daily_cap"):
        mine, ceiling = getattr(rules, name), getattr(settings, name)
        if ceiling is not None and mine is not None and mine > ceiling:
            problems.append(f"{name} {mine} exceeds the alliance's {ceiling}")
    if problems:
        raise RuleOutsideLimits("; ".join(problems), problems=problems)


def effective_cap(merchant: int | None, alliance: int | None) -> int | None:
    """The tighter of two caps (None = no cap): alliance caps bind even on older rules."""
    caps = [cap for cap in (merchant, alliance) if cap is not None]
    return min(caps) if caps else None
