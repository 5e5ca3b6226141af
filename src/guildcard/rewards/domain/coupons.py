"""Coupons (优惠券): templates, issued coupons, and the pure rules of claiming and using them.

A template says what a coupon is worth (满减, 折扣 with a cap, 代金券, 兑换券), who issues it
(one merchant or the alliance), where it is valid (stores, merchants, trades), who bears the
discount (the issuer, the alliance's marketing account, or a split), how many exist and how
many one member may hold, when it can be claimed and used, and by whom. An issued coupon keeps
a snapshot of its template's rules, so later edits never change a coupon a member holds.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from guildcard.kernel.errors import Conflict, InvalidInput, NotFound, RuleViolation

UNLIMITED = -1
MAX_VALID_DAYS = 3650
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud and typed at a till
CODE_LENGTH = 16  # 32 ** 16 = 2 ** 80 codes: not guessable


class CouponKind(StrEnum):
    AMOUNT_OFF = "amount_off"  # 满减: value off a bill of at least the threshold
    PERCENT_OFF = "percent_off"  # 折扣: a share off, capped
    VOUCHER = "voucher"  # 代金券: pays up to its value (threshold optional)
    EXCHANGE = "exchange"  # 兑换券: a named item or service, written off on its own


class Funding(StrEnum):
    ISSUER = "issuer"  # the issuing merchant bears the discount
    MARKETING = "marketing"  # the alliance's marketing account (platform:marketing)
    SPLIT = "split"  # the issuer bears ``issuer_share_percent``, marketing the rest


class ClaimWay(StrEnum):
    CENTRE = "centre"  # the member claims it in the coupon centre (领券中心)
    STAFF = "staff"  # staff or operators issue it to chosen members
    GIFT = "gift"  # given by a campaign (registration, birthday, referral, upgrade pack)
    POINTS = "points"  # bought with points
    TRANSFER = "transfer"  # given by a friend (赠送); never a template's way, only a coupon's origin


class Audience(StrEnum):
    EVERYONE = "everyone"
    TIERS = "tiers"  # members of the named tiers
    NEW_MEMBERS = "new_members"  # registered within NEW_MEMBER_DAYS


NEW_MEMBER_DAYS = 30


class CouponState(StrEnum):
    UNUSED = "unused"
    USED = "used"
    EXPIRED = "expired"
    VOIDED = "voided"
    TRANSFERRED = "transferred"  # given to a friend: the friend holds a new coupon


class Reason(StrEnum):
    """Why a coupon does not apply here and now (shown to the cashier and the member)."""

    THRESHOLD = "threshold"
    STORE = "store"
    MERCHANT = "merchant"
    TRADE = "trade"
    NOT_YET = "not_yet"
    EXPIRED = "expired"
    STATE = "state"
    STACKING = "stacking"
    EXCHANGE = "exchange"  # an exchange coupon is written off on its own
    NOT_EXCHANGE = "not_exchange"


REASON_TEXT = {
    Reason.THRESHOLD: ("未达使用门槛", "the bill is below the threshold"),
    Reason.STORE: ("本店不可用", "not valid at this store"),
    Reason.MERCHANT: ("本商家不可用", "not valid at this merchant"),
    Reason.TRADE: ("本业态不可用", "not valid in this trade"),
    Reason.NOT_YET: ("尚未到使用时间", "not valid yet"),
    Reason.EXPIRED: ("已过期", "expired"),
    Reason.STATE: ("已使用或已失效", "already used or void"),
    Reason.STACKING: ("不可与积分抵扣同享", "cannot be combined with points"),
    Reason.EXCHANGE: ("兑换券请单独核销", "exchange coupons are written off on their own"),
    Reason.NOT_EXCHANGE: ("不是兑换券", "not an exchange coupon"),
}


# --- errors ----------------------------------------------------------------------------------


class CouponTemplateInvalid(InvalidInput):
    """The coupon is not valid."""

    code = "rewards.coupon_invalid"


class StoreUnknown(NotFound):
    """No such open store."""

    code = "rewards.store_not_found"


class IssueAudienceUnknown(NotFound):
    """No such tier or saved segment to issue to."""

    code = "rewards.issue_audience_unknown"


class CouponTemplateNotFound(NotFound):
    """No such coupon."""

    code = "rewards.coupon_template_not_found"


class CouponNotFound(NotFound):
    """No such coupon for this member."""

    code = "rewards.coupon_not_found"


class CouponSoldOut(Conflict):
    """All of these coupons have been claimed."""

    code = "rewards.coupon_sold_out"


class CouponLimitReached(RuleViolation):
    """You already hold as many of these coupons as one member may."""

    code = "rewards.coupon_limit_reached"


class CouponNotClaimable(RuleViolation):
    """This coupon cannot be claimed now."""

    code = "rewards.coupon_not_claimable"


class CouponNotForMember(RuleViolation):
    """This coupon is not offered to you."""

    code = "rewards.coupon_not_for_member"


class CouponNotUsable(RuleViolation):
    """This coupon cannot be used here."""

    code = "rewards.coupon_not_usable"


class CouponAlreadyUsed(Conflict):
    """This coupon has already been used."""

    code = "rewards.coupon_already_used"


class CouponNotTransferable(RuleViolation):
    """This coupon cannot be given to a friend."""

    code = "rewards.coupon_not_transferable"


# --- the template ----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CouponRules:
    """What a coupon is worth and where it applies: the part an issued coupon keeps as a snapshot."""

    kind: CouponKind
    name: str
    issuer_merchant_id: str | None  # None: the alliance (通用券)
    value_fen: int = 0  # amount off, or a voucher's face value
    percent_off: int = 0  # 折扣: 20 = 20 % off (8折)
    cap_fen: int = 0  # 折扣: at most this much off (0: no cap)
    threshold_fen: int = 0  # 满 X (0: none)
    item: str = ""  # 兑换券: what it is exchanged for
    store_ids: frozenset[str] = frozenset()  # empty: every store in scope
    merchant_ids: frozenset[str] = frozenset()  # alliance coupons: empty = every merchant
    trades: frozenset[str] = frozenset()  # alliance coupons: empty = every trade
    funding: Funding = Funding.ISSUER
    issuer_share_percent: int = 100  # SPLIT: the issuer's share
    stackable_with_points: bool = True
    transferable: bool = False

    @property
    def is_alliance(self) -> bool:
        return self.issuer_merchant_id is None


@dataclass(frozen=True, kw_only=True)
class CouponTemplate:
    template_id: str
    rules: CouponRules
    total: int = UNLIMITED  # how many exist (-1: unlimited)
    per_member_limit: int = 1  # how many one member may hold at once or in all (-1: unlimited)
    claim_from: datetime | None = None
    claim_until: datetime | None = None
    use_from: datetime | None = None  # fixed use window ...
    use_until: datetime | None = None
    valid_days: int | None = None  # ... or N days from the claim
    audience: Audience = Audience.EVERYONE
    tiers: frozenset[str] = frozenset()
    ways: frozenset[ClaimWay] = frozenset({ClaimWay.CENTRE})
    points_price: int = 0  # ClaimWay.POINTS: what it costs
    description: str = ""
    active: bool = True
    taken: int = 0
    used: int = 0

    @property
    def remaining(self) -> int | None:
        return None if self.total == UNLIMITED else max(0, self.total - self.taken)


def check_template(template: CouponTemplate) -> CouponTemplate:
    """Refuse a template that cannot work, naming the field; returns it unchanged."""
    r = template.rules
    _require(1 <= len(r.name.strip()) <= 60, "name", "a name of 1 to 60 characters")
    _require(r.threshold_fen >= 0, "threshold_fen", "a threshold of zero or more")
    if r.kind is CouponKind.AMOUNT_OFF:
        _require(r.value_fen > 0, "value_fen", "an amount off above zero")
        _require(
            r.threshold_fen == 0 or r.value_fen < r.threshold_fen,
            "value_fen",
            "an amount off below the threshold",
        )
    elif r.kind is CouponKind.VOUCHER:
        _require(r.value_fen > 0, "value_fen", "a face value above zero")
    elif r.kind is CouponKind.PERCENT_OFF:
        _require(1 <= r.percent_off <= 99, "percent_off", "a share off from 1 to 99 percent")
        _require(r.cap_fen >= 0, "cap_fen", "a cap of zero (none) or more")
    else:
        _require(bool(r.item.strip()), "item", "the item or service it is exchanged for")
        _require(not r.is_alliance, "issuer_merchant_id", "an exchange coupon issued by one merchant")
    if r.is_alliance:
        _require(not r.store_ids, "store_ids", "alliance coupons scoped by merchants or trades")
        _require(r.funding is Funding.MARKETING, "funding", "alliance coupons funded by marketing")
    else:
        _require(
            not r.merchant_ids and not r.trades, "merchant_ids", "a merchant's coupon valid at its own stores"
        )
    if r.funding is Funding.SPLIT:
        _require(1 <= r.issuer_share_percent <= 99, "issuer_share_percent", "an issuer share from 1 to 99")
    _require(template.total == UNLIMITED or template.total > 0, "total", "a total above zero (-1: unlimited)")
    _require(
        template.per_member_limit == UNLIMITED or template.per_member_limit > 0,
        "per_member_limit",
        "a per-member limit above zero (-1: unlimited)",
    )
    fixed = template.use_until is not None
    _require(fixed != (template.valid_days is not None), "valid_days", "either a use window or N days")
    if template.valid_days is not None:
        _require(1 <= template.valid_days <= MAX_VALID_DAYS, "valid_days", "from 1 to 3650 days")
    if fixed and template.use_from is not None:
        assert template.use_until is not None
        _require(
            template.use_from < template.use_until, "use_until", "a use window that ends after it starts"
        )
    if template.claim_from and template.claim_until:
        _require(
            template.claim_from < template.claim_until,
            "claim_until",
            "a claim window that ends after it starts",
        )
    _require(bool(template.ways), "ways", "at least one way to get it")
    _require(ClaimWay.TRANSFER not in template.ways, "ways", "claim ways other than transfer")
    if ClaimWay.POINTS in template.ways:
        _require(template.points_price > 0, "points_price", "a price in points above zero")
    if template.audience is Audience.TIERS:
        _require(bool(template.tiers), "tiers", "at least one tier")
    return template


def _require(ok: bool, name: str, what: str) -> None:
    if not ok:
        raise CouponTemplateInvalid(f"{name}: expected {what}", field=name)


# --- claiming -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberFacts:
    """What the audience rule needs to know about a member."""

    member_id: str
    registered_at: datetime
    tier_code: str | None = None
    birthday: date | None = None


def check_claimable(template: CouponTemplate, way: ClaimWay, member: MemberFacts, now: datetime) -> None:
    """May ``member`` get this coupon ``way`` now? (The counts are checked by conditional updates.)"""
    if not template.active or way not in template.ways:
        raise CouponNotClaimable(template_id=template.template_id, way=way.value)
    if way is ClaimWay.CENTRE or way is ClaimWay.POINTS:
        if template.claim_from is not None and now < template.claim_from:
            raise CouponNotClaimable("Claiming has not started yet.", template_id=template.template_id)
        if template.claim_until is not None and now >= template.claim_until:
            raise CouponNotClaimable("Claiming has ended.", template_id=template.template_id)
    if template.use_until is not None and now >= template.use_until:
        raise CouponNotClaimable("This coupon can no longer be used.", template_id=template.template_id)
    if template.audience is Audience.TIERS and member.tier_code not in template.tiers:
        raise CouponNotForMember(template_id=template.template_id, audience=template.audience.value)
    if template.audience is Audience.NEW_MEMBERS and now - member.registered_at > timedelta(
        days=NEW_MEMBER_DAYS
    ):
        raise CouponNotForMember(template_id=template.template_id, audience=template.audience.value)


def validity(template: CouponTemplate, claimed_at: datetime) -> tuple[datetime, datetime]:
    """When a coupon claimed at ``claimed_at`` may be used: the fixed window or N days from now."""
    if template.valid_days is not None:
        return claimed_at, claimed_at + timedelta(days=template.valid_days)
    assert template.use_until is not None
    return template.use_from or claimed_at, template.use_until


def new_code() -> str:
    """A coupon's own code: 16 characters from 32, from the system's CSPRNG (80 bits)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


# --- using ----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Coupon:
    """An issued coupon: its template's rules as they were, its own window and state."""

    coupon_id: str
    code: str
    template_id: str
    member_id: str
    rules: CouponRules
    valid_from: datetime
    valid_until: datetime
    state: CouponState = CouponState.UNUSED
    origin: ClaimWay = ClaimWay.CENTRE
    claimed_at: datetime | None = None
    purchase_id: str | None = None
    used_at: datetime | None = None
    used_merchant_id: str | None = None
    used_store_id: str | None = None
    discount_fen: int = 0


@dataclass(frozen=True)
class Place:
    """Where a coupon would be used."""

    store_id: str
    merchant_id: str
    trade: str = ""


@dataclass(frozen=True)
class Verdict:
    """A coupon judged for one bill at one place: its discount, or why it does not apply."""

    coupon: Coupon
    discount_fen: int = 0
    reason: Reason | None = None

    @property
    def usable(self) -> bool:
        return self.reason is None


def discount_for(rules: CouponRules, bill_fen: int) -> int:
    """The discount on ``bill_fen`` (whole fen, rounded down, never more than the bill)."""
    if rules.kind is CouponKind.AMOUNT_OFF or rules.kind is CouponKind.VOUCHER:
        off = rules.value_fen
    elif rules.kind is CouponKind.PERCENT_OFF:
        off = bill_fen * rules.percent_off // 100
        if rules.cap_fen:
            off = min(off, rules.cap_fen)
    else:
        off = 0
    return max(0, min(off, bill_fen))


def place_reason(rules: CouponRules, place: Place) -> Reason | None:
    if rules.is_alliance:
        if rules.merchant_ids and place.merchant_id not in rules.merchant_ids:
            return Reason.MERCHANT
        if rules.trades and place.trade not in rules.trades:
            return Reason.TRADE
        return None
    if place.merchant_id != rules.issuer_merchant_id:
        return Reason.MERCHANT
    if rules.store_ids and place.store_id not in rules.store_ids:
        return Reason.STORE
    return None


def judge(
    coupon: Coupon,
    *,
    bill_fen: int,
    place: Place,
    at: datetime,
    with_points: bool = False,
    exchange: bool = False,
) -> Verdict:
    """May ``coupon`` take money off ``bill_fen`` at ``place`` now (or, ``exchange``, be written off)?"""
    rules = coupon.rules
    reason = _first_reason(
        coupon, bill_fen=bill_fen, place=place, at=at, with_points=with_points, exchange=exchange
    )
    if reason is not None:
        return Verdict(coupon, 0, reason)
    return Verdict(coupon, 0 if exchange else discount_for(rules, bill_fen))


def _first_reason(  # noqa: PLR0911 - one return per reason, in the order the cashier reads them
    coupon: Coupon, *, bill_fen: int, place: Place, at: datetime, with_points: bool, exchange: bool
) -> Reason | None:
    rules = coupon.rules
    if coupon.state is not CouponState.UNUSED:
        return Reason.STATE
    if at >= coupon.valid_until:
        return Reason.EXPIRED
    if at < coupon.valid_from:
        return Reason.NOT_YET
    if (rules.kind is CouponKind.EXCHANGE) != exchange:
        return Reason.NOT_EXCHANGE if exchange else Reason.EXCHANGE
    found = place_reason(rules, place)
    if found is not None:
        return found
    if not exchange and bill_fen < rules.threshold_fen:
        return Reason.THRESHOLD
    if with_points and not rules.stackable_with_points:
        return Reason.STACKING
    return None


def best_first(verdicts: list[Verdict]) -> list[Verdict]:
    """Usable coupons, biggest discount first (then soonest to expire), then the others."""
    return sorted(
        verdicts,
        key=lambda v: (not v.usable, -v.discount_fen, v.coupon.valid_until, v.coupon.coupon_id),
    )


# --- funding --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FundingShares:
    issuer_fen: int  # borne by the issuing merchant
    marketing_fen: int  # borne by the alliance's marketing account


def funding_shares(rules: CouponRules, discount_fen: int) -> FundingShares:
    if rules.is_alliance or rules.funding is Funding.MARKETING:
        return FundingShares(0, discount_fen)
    if rules.funding is Funding.SPLIT:
        issuer = discount_fen * rules.issuer_share_percent // 100
        return FundingShares(issuer, discount_fen - issuer)
    return FundingShares(discount_fen, 0)


@dataclass(frozen=True)
class FenLine:
    account: str
    amount: int  # + owes / spends, - is owed


def funding_lines(rules: CouponRules, discount_fen: int, used_at_merchant: str) -> list[FenLine]:
    """The FEN postings that clear a discount given at ``used_at_merchant`` (empty: nothing moves).

    The merchant where the coupon was used is owed what others bear; the issuer owes its share
    (nothing when it is the same merchant: it simply gave the discount), the alliance's
    marketing account spends its share. The lines sum to zero.
    """
    shares = funding_shares(rules, discount_fen)
    lines: list[FenLine] = []
    owed = shares.marketing_fen
    if shares.marketing_fen:
        lines.append(FenLine("platform:marketing", shares.marketing_fen))
    if shares.issuer_fen and rules.issuer_merchant_id != used_at_merchant:
        lines.append(FenLine(f"merchant:{rules.issuer_merchant_id}:settlement", shares.issuer_fen))
        owed += shares.issuer_fen
    if owed:
        lines.append(FenLine(f"merchant:{used_at_merchant}:settlement", -owed))
    return lines


@dataclass(frozen=True)
class RulesText:
    """The coupon's rules in plain Chinese (and English), as the member's H5 shows them."""

    zh: list[str] = field(default_factory=list)
    en: list[str] = field(default_factory=list)


def yuan(fen: int) -> str:
    whole, part = divmod(fen, 100)
    return f"¥{whole}" if part == 0 else f"¥{whole}.{part:02d}"


def headline(rules: CouponRules) -> tuple[str, str]:
    """The coupon's value in a few characters: "满100减20", "8折 最高减¥30", "¥50代金券", "兑换: 饮料"."""
    if rules.kind is CouponKind.AMOUNT_OFF:
        if rules.threshold_fen:
            return (f"满{yuan(rules.threshold_fen)}减{yuan(rules.value_fen)}",
                    f"{yuan(rules.value_fen)} off {yuan(rules.threshold_fen)}")  # fmt: skip
        return f"立减{yuan(rules.value_fen)}", f"{yuan(rules.value_fen)} off"
    if rules.kind is CouponKind.PERCENT_OFF:
        tenths = 100 - rules.percent_off
        zhe = f"{tenths // 10}" if tenths % 10 == 0 else f"{tenths / 10:g}"
        cap = f" 最高减{yuan(rules.cap_fen)}" if rules.cap_fen else ""
        cap_en = f", at most {yuan(rules.cap_fen)}" if rules.cap_fen else ""
        return f"{zhe}折{cap}", f"{rules.percent_off}% off{cap_en}"
    if rules.kind is CouponKind.VOUCHER:
        return f"{yuan(rules.value_fen)}代金券", f"{yuan(rules.value_fen)} voucher"
    return f"兑换: {rules.item}", f"exchange: {rules.item}"


def rules_text(rules: CouponRules, *, merchant_names: dict[str, str] | None = None) -> RulesText:
    names = merchant_names or {}
    text = RulesText()
    zh, en = headline(rules)
    text.zh.append(zh)
    text.en.append(en)
    if rules.threshold_fen and rules.kind is not CouponKind.AMOUNT_OFF:
        text.zh.append(f"消费满{yuan(rules.threshold_fen)}可用")
        text.en.append(f"on a bill of {yuan(rules.threshold_fen)} or more")
    if rules.is_alliance:
        where = "、".join(names.get(m, m) for m in sorted(rules.merchant_ids)) if rules.merchant_ids else ""
        if rules.trades:
            where = (where + "、" if where else "") + "、".join(sorted(rules.trades)) + "业态"
        text.zh.append(f"联盟通用券，{'限' + where + '使用' if where else '全部联盟商家可用'}")
        text.en.append("alliance coupon" + (f", valid at {where}" if where else ", valid at every merchant"))
    else:
        issuer = names.get(rules.issuer_merchant_id or "", "发券商家")
        text.zh.append(f"限{issuer}{'指定门店' if rules.store_ids else '门店'}使用")
        text.en.append(f"valid at {issuer}'s {'chosen ' if rules.store_ids else ''}stores")
    if not rules.stackable_with_points:
        text.zh.append("不可与积分抵扣同享")
        text.en.append("cannot be combined with points")
    text.zh.append("可转赠好友" if rules.transferable else "不可转赠")
    text.en.append("can be given to a friend" if rules.transferable else "cannot be given away")
    if rules.kind is CouponKind.EXCHANGE:
        text.zh.append("到店出示券码核销")
        text.en.append("show the code at the store to exchange it")
    return text
