"""Earn evaluation: (purchase, member, terms, rules, campaigns, settings) -> explained award.

Rounding policy (the one place it is decided):

1. Amounts are integer fen; rates and multipliers are Decimal; nothing is a float.
2. Each explanation line is computed exactly in Decimal and then rounded toward zero to
   whole points, so no line ever awards a fraction of a point.
3. Lines apply in a fixed order, each multiplier on the running subtotal:
   base -> category bonus -> tier -> campaign. Caps apply last: per transaction, then
   per day (against ``earned_today``).
4. The total is the sum of the lines, and never negative.

Campaigns do not stack: when several apply, only the highest multiplier counts.
Growth (成长值) accrues at the alliance's own rate on the whole amount, rounded toward
zero, for members only; points rules (minimum, caps, campaigns) do not touch it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_DOWN, Decimal

from guildcard.kernel.money import format_fen
from guildcard.loyalty.domain.campaigns import Campaign, best_campaign
from guildcard.loyalty.domain.errors import RulesInvalid
from guildcard.loyalty.domain.rules import EarnTerms, MerchantEarnRules, effective_cap
from guildcard.loyalty.domain.settings import LoyaltySettings

ONE = Decimal(1)
FEN_PER_YUAN = Decimal(100)


@dataclass(frozen=True, slots=True)
class CategoryLine:
    category: str
    amount_fen: int


@dataclass(frozen=True, slots=True)
class Purchase:
    """The cash part of a purchase (the counter decides what is cash) and when it happened."""

    amount_fen: int
    occurred_at: datetime
    lines: tuple[CategoryLine, ...] = ()  # optional breakdown by product category

    def __post_init__(self) -> None:
        if self.amount_fen < 0 or any(line.amount_fen < 0 for line in self.lines):
            raise RulesInvalid("purchase amounts cannot be negative", field="amount_fen")
        if sum(line.amount_fen for line in self.lines) > self.amount_fen:
            raise RulesInvalid("category lines add up to more than the purchase", field="lines")


@dataclass(frozen=True, slots=True)
class MemberStanding:
    is_member: bool
    tier_multiplier: Decimal = ONE  # seam: tiers arrive later

    def __post_init__(self) -> None:
        if not self.tier_multiplier.is_finite() or self.tier_multiplier < 0:
            raise RulesInvalid("tier_multiplier cannot be negative", field="tier_multiplier")


@dataclass(frozen=True, slots=True)
class EarnLine:
    code: str  # base, category_bonus, tier, campaign, cap_transaction, cap_day, minimum_not_met...
    label_zh: str
    label_en: str
    points: int


@dataclass(frozen=True, slots=True)
class EarnQuote:
    points: int
    growth: int
    lines: tuple[EarnLine, ...]
    campaign_id: str | None = None
    campaign_points: int = 0  # the campaign's extra points in ``points`` (after caps): its budget's use

    @property
    def codes(self) -> list[str]:
        return [line.code for line in self.lines]


def whole(value: Decimal) -> int:
    """Round toward zero to a whole number of points (rounding policy, rule 2)."""
    return int(value.to_integral_value(rounding=ROUND_DOWN))


def num(value: Decimal) -> str:
    """A Decimal as people write it: 1, 1.5, 0.25 (no exponent, no trailing zeros)."""
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def evaluate_earn(
    purchase: Purchase,
    *,
    member: MemberStanding,
    terms: EarnTerms,
    rules: MerchantEarnRules,
    campaigns: Sequence[Campaign],
    settings: LoyaltySettings,
    earned_today: int = 0,
    budgets_left: Mapping[str, int] | None = None,
) -> EarnQuote:
    """The award for one purchase, explained line by line.

    ``earned_today``: points this member already earned at this merchant on the business
    day (Asia/Shanghai) of ``purchase.occurred_at``; the per-day cap counts against it.
    ``budgets_left``: for each campaign with a budget, the points it has left. A campaign with
    nothing left does not apply (the next best may); the one that applies gives at most what is
    left. A campaign with a budget missing from the mapping counts as having nothing left.
    """
    growth = _growth(purchase, member, settings)
    if settings.only_members_earn and not member.is_member:
        return EarnQuote(0, growth, (_members_only(),))
    if purchase.amount_fen < rules.min_amount_fen:
        return EarnQuote(0, growth, (_minimum_not_met(purchase, rules),))
    lines = [_base(purchase, terms)]
    lines += _category_bonuses(purchase, terms, rules)
    lines += _tier(sum(line.points for line in lines), member)
    applicable = [
        c
        for c in campaigns
        if c.applies(
            at=purchase.occurred_at,
            merchant_id=terms.merchant_id,
            trade_category=terms.trade_category,
            is_member=member.is_member,
        )
    ]
    left = budgets_left or {}
    spent = [c for c in applicable if c.budget_points is not None and left.get(c.campaign_id, 0) <= 0]
    campaign = best_campaign(c for c in applicable if c not in spent)
    best_spent = best_campaign(spent)
    if best_spent is not None and (campaign is None or best_campaign((campaign, best_spent)) is best_spent):
        lines.append(_budget_spent(best_spent))  # the preview says why the multiplier stopped
    before_campaign = sum(line.points for line in lines)
    if campaign is not None:
        room = left.get(campaign.campaign_id) if campaign.budget_points is not None else None
        lines += _campaign(before_campaign, campaign, room)
    lines += _caps(sum(line.points for line in lines), rules, settings, earned_today)
    total = sum(line.points for line in lines)
    assert total >= 0, "rounding toward zero keeps every award non-negative"
    given = max(0, total - before_campaign) if campaign is not None else 0  # caps cut the campaign first
    return EarnQuote(total, growth, tuple(lines), campaign.campaign_id if campaign else None, given)


def _growth(purchase: Purchase, member: MemberStanding, settings: LoyaltySettings) -> int:
    if not member.is_member:
        return 0
    return whole(Decimal(purchase.amount_fen) / FEN_PER_YUAN * settings.growth_per_yuan)


def _members_only() -> EarnLine:
    return EarnLine(
        "members_only",
        "本联盟仅会员消费可积分：非会员不积分",
        "only members earn points in this alliance: no points",
        0,
    )


def _minimum_not_met(purchase: Purchase, rules: MerchantEarnRules) -> EarnLine:
    minimum, amount = format_fen(rules.min_amount_fen), format_fen(purchase.amount_fen)
    return EarnLine(
        "minimum_not_met",
        f"消费 {amount} 未达积分门槛 {minimum}：不积分",
        f"{amount} is below the {minimum} minimum to earn: no points",
        0,
    )


def _base(purchase: Purchase, terms: EarnTerms) -> EarnLine:
    rate, amount = num(terms.points_per_yuan), format_fen(purchase.amount_fen)
    points = whole(Decimal(purchase.amount_fen) / FEN_PER_YUAN * terms.points_per_yuan)
    return EarnLine(
        "base",
        f"基础积分 每元 {rate} 积分 × {amount} = {points}",
        f"base {rate} pt/¥ × {amount} = {points}",
        points,
    )


def _category_bonuses(purchase: Purchase, terms: EarnTerms, rules: MerchantEarnRules) -> list[EarnLine]:
    """Extra (or fewer, below ×1) points on category lines, on top of the base for them."""
    totals: dict[str, int] = {}
    for line in purchase.lines:
        totals[line.category] = totals.get(line.category, 0) + line.amount_fen
    result = []
    for category, amount_fen in totals.items():
        multiplier = rules.multiplier_for(category)
        if multiplier == ONE:
            continue
        base = Decimal(amount_fen) / FEN_PER_YUAN * terms.points_per_yuan
        points = whole(base * (multiplier - ONE))
        amount, times = format_fen(amount_fen), num(multiplier)
        result.append(
            EarnLine(
                "category_bonus",
                f"{category} 类 {amount} × {times} 倍 = {points:+d}",
                f"{category} {amount} × {times} = {points:+d}",
                points,
            )
        )
    return result


def _tier(subtotal: int, member: MemberStanding) -> list[EarnLine]:
    if member.tier_multiplier == ONE:
        return []
    points = whole(Decimal(subtotal) * (member.tier_multiplier - ONE))
    times = num(member.tier_multiplier)
    return [EarnLine("tier", f"会员等级 × {times} = {points:+d}", f"tier × {times} = {points:+d}", points)]


def _campaign(subtotal: int, campaign: Campaign, room: int | None = None) -> list[EarnLine]:
    """The campaign's extra points; ``room``: what its budget has left (None: no budget)."""
    points = whole(Decimal(subtotal) * (campaign.multiplier - ONE))
    times = num(campaign.multiplier)
    if room is not None and points > room:
        return [
            EarnLine(
                "campaign",
                f"{campaign.name} × {times}，活动预算仅剩 {room} 积分 = {room:+d}",
                f"{campaign.name} × {times}, only {room} points left in its budget = {room:+d}",
                room,
            )
        ]
    return [
        EarnLine(
            "campaign",
            f"{campaign.name} × {times} = {points:+d}",
            f"{campaign.name} × {times} = {points:+d}",
            points,
        )
    ]


def _budget_spent(campaign: Campaign) -> EarnLine:
    return EarnLine(
        "campaign_budget_spent",
        f"{campaign.name} 活动预算已用完：不再加倍",
        f"{campaign.name}: its budget is used up, no extra points",
        0,
    )


def _caps(
    subtotal: int, rules: MerchantEarnRules, settings: LoyaltySettings, earned_today: int
) -> list[EarnLine]:
    result = []
    per_transaction = effective_cap(rules.transaction_cap, settings.transaction_cap)
    if per_transaction is not None and subtotal > per_transaction:
        result.append(
            EarnLine(
                "cap_transaction",
                f"单笔上限 {per_transaction} 积分 = {per_transaction - subtotal:+d}",
                f"cap {per_transaction}/transaction = {per_transaction - subtotal:+d}",
                per_transaction - subtotal,
            )
        )
        subtotal = per_transaction
    per_day = effective_cap(rules.daily_cap, settings.daily_cap)
    if per_day is not None:
        room = max(0, per_day - max(0, earned_today))
        if subtotal > room:
            result.append(
                EarnLine(
                    "cap_day",
                    f"每日上限 {per_day} 积分（今日已得 {earned_today}）= {room - subtotal:+d}",
                    f"cap {per_day}/day ({earned_today} earned today) = {room - subtotal:+d}",
                    room - subtotal,
                )
            )
    return result
