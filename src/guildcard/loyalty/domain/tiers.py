"""Growth tiers (等级): the alliance's tier scheme and the rules that move a member between tiers.

A member holds up to three claims to a tier; the tier they *have* is the highest of them:

- the **growth tier**, earned by growth (成长值, lifetime or over a rolling window): raised at once
  when a purchase crosses a threshold, lowered only by evaluation at period ends (keeping it
  when the growth in the window reaches the tier's retention figure, 保级, after a grace period)
  or by the refund of the purchase that promoted the member (when the alliance says so);
- a **floor** an operator set by hand, with a reason and an end date;
- a **paid card**'s tier while the card is valid.

Pure values and functions; the storage and the handlers apply the decisions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from itertools import pairwise

from guildcard.loyalty.domain.errors import TierSchemeInvalid

ONE = Decimal(1)
ZERO = Decimal(0)
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


class GrowthBasis(StrEnum):
    LIFETIME = "lifetime"  # every growth point ever earned (less refunds)
    ROLLING = "rolling"  # growth earned in the last ``window_days``


class Downgrade(StrEnum):
    NEVER = "never"
    EVALUATION = "evaluation"  # at period ends, keeping the tier while retention holds


class RefundPolicy(StrEnum):
    PROMOTING_PURCHASE = "promoting_purchase"  # down at once only if the promoting purchase is refunded
    NEXT_EVALUATION = "next_evaluation"  # a refund never moves the tier; the next evaluation does


class MultiplierFunder(StrEnum):
    MERCHANT = "merchant"  # the merchant where the member buys funds the extra points
    ALLIANCE = "alliance"  # the alliance's marketing account funds them


class TierReason(StrEnum):
    PURCHASE = "purchase"
    REFUND = "refund"
    EVALUATION = "evaluation"
    MANUAL = "manual"
    FLOOR_ENDED = "floor_ended"
    PAID_CARD = "paid_card"
    CARD_ENDED = "card_ended"
    MERGE = "merge"  # two members merged into one (the survivor's tier)
    UNMERGE = "unmerge"  # a merge undone


@dataclass(frozen=True, slots=True)
class Tier:
    code: str  # "silver": stable, used in logs and URLs
    name: str  # 银卡
    rank: int  # 0 = the base tier every member starts in
    threshold: int  # growth that earns the tier
    name_en: str = ""
    retention: int | None = None  # growth in the window that keeps the tier (None: the threshold)
    colour: str = "#8a8f98"
    background: str = ""  # an image path or a second colour for the card
    benefits_text: str = ""
    points_multiplier: Decimal = ONE
    member_discount: Decimal = ZERO  # 0.05 = 5 % off (the alliance default for the tier)
    birthday_multiplier: Decimal = ONE
    gift_points: int = 0  # upgrade gift pack (升级礼包), given once per tier reached

    @property
    def keep_with(self) -> int:
        return self.threshold if self.retention is None else self.retention


@dataclass(frozen=True, slots=True)
class TierRules:
    basis: GrowthBasis = GrowthBasis.LIFETIME
    window_days: int = 365  # the rolling window, and the window retention is judged over
    downgrade: Downgrade = Downgrade.NEVER
    grace_days: int = 0  # after failing retention, the member keeps the tier this long
    refund_policy: RefundPolicy = RefundPolicy.PROMOTING_PURCHASE
    multiplier_funder: MultiplierFunder = MultiplierFunder.MERCHANT


BASE_TIER = Tier(code="member", name="普通会员", name_en="Member", rank=0, threshold=0)


@dataclass(frozen=True, slots=True)
class TierScheme:
    """The alliance's tiers (ordered by rank, the first with threshold 0) and rules."""

    tiers: tuple[Tier, ...] = (BASE_TIER,)
    rules: TierRules = TierRules()

    def __post_init__(self) -> None:
        object.__setattr__(self, "tiers", tuple(sorted(self.tiers, key=lambda t: t.rank)))
        problems = _problems(self)
        if problems:
            raise TierSchemeInvalid("; ".join(problems), problems=problems)

    @property
    def base(self) -> Tier:
        return self.tiers[0]

    def get(self, code: str | None) -> Tier | None:
        return next((t for t in self.tiers if t.code == code), None)

    def rank_of(self, code: str | None) -> int:
        found = self.get(code)
        return found.rank if found else 0

    def earned(self, growth: int) -> Tier:
        """The highest tier whose threshold ``growth`` reaches."""
        return max((t for t in self.tiers if t.threshold <= growth), key=lambda t: t.rank)

    def kept(self, growth: int, *, upto: Tier) -> Tier:
        """The highest tier not above ``upto`` whose retention figure ``growth`` reaches."""
        fits = [t for t in self.tiers if t.rank <= upto.rank and (t.keep_with <= growth or t.rank == 0)]
        return max(fits, key=lambda t: t.rank)

    def next_above(self, tier: Tier) -> Tier | None:
        return next((t for t in self.tiers if t.rank > tier.rank), None)

    def highest(self, *codes: str | None) -> Tier:
        found = [t for t in (self.get(c) for c in codes) if t is not None]
        return max(found, key=lambda t: t.rank) if found else self.base


def _problems(scheme: TierScheme) -> list[str]:
    problems: list[str] = []
    tiers, rules = scheme.tiers, scheme.rules
    if not tiers:
        return ["at least one tier is needed"]
    if tiers[0].threshold != 0:
        problems.append("the lowest tier's threshold must be 0")
    codes = [t.code for t in tiers]
    if len(set(codes)) != len(codes):
        problems.append("tier codes must be unique")
    if len({t.rank for t in tiers}) != len(tiers):
        problems.append("tier ranks must be unique")
    for low, high in pairwise(tiers):
        if high.threshold <= low.threshold:
            problems.append(f"{high.code}: the threshold must be above {low.code}'s")
    for t in tiers:
        problems.extend(_tier_problems(t))
    if rules.window_days < 1:
        problems.append("the window is at least one day")
    if rules.grace_days < 0:
        problems.append("the grace period is not negative")
    return problems


def _tier_problems(t: Tier) -> list[str]:
    problems: list[str] = []
    if not _CODE.match(t.code):
        problems.append(f"{t.code!r}: a code is lower-case letters, digits and _")
    if not t.name.strip():
        problems.append(f"{t.code}: a name is needed")
    if not _COLOUR.match(t.colour):
        problems.append(f"{t.code}: the colour is #rrggbb")
    if t.retention is not None and t.retention < 0:
        problems.append(f"{t.code}: retention is not negative")
    if t.points_multiplier < ONE or t.birthday_multiplier < ONE:
        problems.append(f"{t.code}: multipliers are at least 1")
    if not ZERO <= t.member_discount < ONE:
        problems.append(f"{t.code}: the member discount is between 0 and 1")
    if t.gift_points < 0:
        problems.append(f"{t.code}: gift points are not negative")
    return problems


@dataclass(frozen=True, slots=True)
class MemberTier:
    """What the member holds: the tier they have is the highest live claim."""

    member_id: str
    growth_tier: str
    tier: str  # the tier in effect (highest of growth, floor, card)
    since: datetime  # when ``tier`` took effect
    promoted_by: str | None = None  # the purchase that last raised the growth tier
    grace_until: datetime | None = None  # retention failed: the growth tier ends then
    floor_tier: str | None = None
    floor_ends_at: datetime | None = None
    floor_reason: str = ""
    card_tier: str | None = None
    card_ends_at: datetime | None = None


def starting(member_id: str, scheme: TierScheme, now: datetime) -> MemberTier:
    base = scheme.base.code
    return MemberTier(member_id=member_id, growth_tier=base, tier=base, since=now)


@dataclass(frozen=True, slots=True)
class TierChange:
    member_id: str
    from_tier: str
    to_tier: str
    reason: TierReason
    reference: str | None = None
    note: str = ""


def effective(scheme: TierScheme, held: MemberTier, at: datetime) -> str:
    """The tier in effect at ``at``: the highest of the growth tier, a live floor and a live card."""
    floor = held.floor_tier if held.floor_ends_at is None or held.floor_ends_at > at else None
    card = held.card_tier if held.card_ends_at is not None and held.card_ends_at > at else None
    return scheme.highest(held.growth_tier, floor, card).code


def _settle(
    scheme: TierScheme, before: MemberTier, after: MemberTier, *, at: datetime, reason: TierReason,
    reference: str | None, note: str = "",
) -> tuple[MemberTier, TierChange | None]:  # fmt: skip
    tier = effective(scheme, after, at)
    if tier == before.tier:
        return replace(after, tier=tier, since=before.since), None
    change = TierChange(after.member_id, before.tier, tier, reason, reference, note)
    return replace(after, tier=tier, since=at), change


def after_purchase(
    scheme: TierScheme, held: MemberTier, *, growth: int, purchase_id: str, at: datetime
) -> tuple[MemberTier, TierChange | None]:
    """Upgrade at once when the member's growth (this purchase included) crosses a threshold."""
    earned = scheme.earned(growth)
    if earned.rank <= scheme.rank_of(held.growth_tier):
        return held, None
    raised = replace(held, growth_tier=earned.code, promoted_by=purchase_id, grace_until=None)
    return _settle(scheme, held, raised, at=at, reason=TierReason.PURCHASE, reference=purchase_id)


def after_refund(
    scheme: TierScheme, held: MemberTier, *, growth: int, purchase_id: str, at: datetime
) -> tuple[MemberTier, TierChange | None]:
    """Under ``promoting_purchase``, refunding the purchase that promoted the member takes the
    growth tier back to what the growth left still earns; otherwise the tier waits for evaluation."""
    if scheme.rules.refund_policy is not RefundPolicy.PROMOTING_PURCHASE or held.promoted_by != purchase_id:
        return held, None
    earned = scheme.earned(growth)
    if earned.rank >= scheme.rank_of(held.growth_tier):
        return held, None
    lowered = replace(held, growth_tier=earned.code, promoted_by=None)
    return _settle(scheme, held, lowered, at=at, reason=TierReason.REFUND, reference=purchase_id)


def evaluate(
    scheme: TierScheme, held: MemberTier, *, growth: int, window_growth: int, at: datetime
) -> tuple[MemberTier, TierChange | None]:
    """The period-end evaluation at ``at``.

    ``growth`` is what earns tiers (lifetime or rolling, per the rules); ``window_growth`` is the
    growth in the retention window. Up to the earned tier at once; down only under
    ``evaluation``, to the highest tier whose retention figure the window's growth still
    reaches, after the grace period; a floor or card that ended drops away.
    """
    rules = scheme.rules
    current = scheme.get(held.growth_tier) or scheme.base
    earned = scheme.earned(growth)
    updated = held
    reason = TierReason.EVALUATION
    if earned.rank > current.rank:
        updated = replace(held, growth_tier=earned.code, grace_until=None)
    elif rules.downgrade is Downgrade.EVALUATION:
        kept = scheme.kept(window_growth, upto=current)
        if kept.rank >= current.rank:
            updated = replace(held, grace_until=None)
        elif rules.grace_days and held.grace_until is None:
            updated = replace(held, grace_until=at + timedelta(days=rules.grace_days))
        elif not rules.grace_days or (held.grace_until is not None and held.grace_until <= at):
            updated = replace(
                held, growth_tier=max(kept, earned, key=lambda t: t.rank).code, grace_until=None
            )
    if updated.floor_tier and updated.floor_ends_at is not None and updated.floor_ends_at <= at:
        updated = replace(updated, floor_tier=None, floor_ends_at=None, floor_reason="")
        if effective(scheme, updated, at) != held.tier:
            reason = TierReason.FLOOR_ENDED
    if updated.card_tier and updated.card_ends_at is not None and updated.card_ends_at <= at:
        updated = replace(updated, card_tier=None, card_ends_at=None)
        if effective(scheme, updated, at) != held.tier:
            reason = TierReason.CARD_ENDED
    return _settle(scheme, held, updated, at=at, reason=reason, reference=None)


def after_merge(
    scheme: TierScheme, before: MemberTier, held: MemberTier, *, growth: int, at: datetime,
    reason: TierReason, reference: str,
) -> tuple[MemberTier, TierChange | None]:  # fmt: skip
    """A merge or its undo: ``held`` (the claims it carries), raised to the growth tier ``growth``
    earns (never lowered: that waits for the period's evaluation); one change from ``before``."""
    earned = scheme.earned(growth)
    if earned.rank > scheme.rank_of(held.growth_tier):
        held = replace(held, growth_tier=earned.code, grace_until=None)
    return _settle(scheme, before, held, at=at, reason=reason, reference=reference)


def set_floor(
    scheme: TierScheme, held: MemberTier, *, tier: str, ends_at: datetime, reason: str, at: datetime
) -> tuple[MemberTier, TierChange | None]:
    """An operator's floor: the member has at least ``tier`` until ``ends_at``."""
    if scheme.get(tier) is None:
        raise TierSchemeInvalid(f"no tier {tier!r}", tier=tier)
    if ends_at <= at:
        raise TierSchemeInvalid("the floor's end is in the future", ends_at=ends_at.isoformat())
    if not reason.strip():
        raise TierSchemeInvalid("a reason is needed", field="reason")
    floored = replace(held, floor_tier=tier, floor_ends_at=ends_at, floor_reason=reason.strip())
    return _settle(
        scheme, held, floored, at=at, reason=TierReason.MANUAL, reference=None, note=reason.strip()
    )


def grant_card(
    scheme: TierScheme, held: MemberTier, *, tier: str | None, ends_at: datetime, reference: str, at: datetime
) -> tuple[MemberTier, TierChange | None]:
    """A paid card's tier while it is valid (``tier`` None: the card grants no tier)."""
    carded = replace(held, card_tier=tier, card_ends_at=ends_at)
    return _settle(scheme, held, carded, at=at, reason=TierReason.PAID_CARD, reference=reference)


@dataclass(frozen=True, slots=True)
class Progress:
    """What the member's card shows: the next tier and how far, and retention."""

    tier: Tier
    growth: int
    next_tier: Tier | None
    to_next: int  # growth still needed for the next tier (0 at the top)
    keep_needed: int  # growth still needed in the window to keep the tier (0: kept)
    window_ends: datetime | None  # retention is judged on growth up to then


def progress(
    scheme: TierScheme, held: MemberTier, *, growth: int, window_growth: int, window_ends: datetime | None
) -> Progress:
    tier = scheme.get(held.tier) or scheme.base
    growth_tier = scheme.get(held.growth_tier) or scheme.base
    nxt = scheme.next_above(tier)
    to_next = max(nxt.threshold - growth, 0) if nxt else 0
    judged = scheme.rules.downgrade is Downgrade.EVALUATION and growth_tier.rank > 0
    keep = max(growth_tier.keep_with - window_growth, 0) if judged else 0
    return Progress(tier, growth, nxt, to_next, keep, window_ends if judged else None)
