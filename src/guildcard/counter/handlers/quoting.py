"""Quote and record a purchase on the command's connection: pricing, earn, ledger moves.

The price stages (``domain.pricing``) get their inputs from the ports: the member's tier
benefits (``TierDesk``), the chosen coupon judged for this bill (``CouponDesk``), the wallet's
balance and split (``WalletDesk``). Recording uses the coupon once, pays from the wallet and
lets the tier react to the growth, all in the command's transaction.

Shared by the preview, the counter commit (now) and backfill (a past purchase): the earn
rules, campaigns and contract terms are those in force when the purchase happened; pending
points become available ``pending_days`` after *now*. Every read is on the caller's
connection, so a commit reads its terms, rules and campaigns in its own transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import Connection

from guildcard.counter.domain.amounts import CategoryLine
from guildcard.counter.domain.pricing import Pricing, cash_lines, discount_stage, price, wallet_room
from guildcard.counter.domain.receipts import (
    MemberShown,
    PurchaseFigures,
    PurchasePreview,
    PurchaseReceipt,
    RedeemOffer,
)
from guildcard.counter.domain.stages import (
    NO_TIER,
    NO_WALLET,
    CouponOffer,
    TierBenefits,
    TierChange,
    WalletBalance,
)
from guildcard.counter.ports import CounterPorts, MemberRef, StoreRef
from guildcard.counter.storage.repository import CounterRepository
from guildcard.kernel.clock import business_date, end_of_business_day, start_of_business_day
from guildcard.kernel.fingerprint import fingerprint
from guildcard.ledger import Ledger, chart
from guildcard.loyalty import campaign_budgets
from guildcard.loyalty.domain import (
    Campaign,
    EarnQuote,
    EarnTerms,
    MemberStanding,
    Purchase,
    evaluate_earn,
)
from guildcard.loyalty.domain import CategoryLine as EarnLine
from guildcard.loyalty.domain.rules import effective_cap
from guildcard.loyalty.queries import LoyaltyConfig


@dataclass(frozen=True)
class Quote:
    """Everything a preview shows and a commit records."""

    store: StoreRef
    member: MemberRef
    occurred_at: datetime
    pricing: Pricing
    earn: EarnQuote
    available_at: datetime | None  # pending until (None: available at once)
    balance: int
    tier: TierBenefits = NO_TIER
    wallet_balance: WalletBalance = NO_WALLET
    coupons: tuple[CouponOffer, ...] = ()  # the member's coupons judged here (preview only)
    campaign: Campaign | None = None  # the campaign that applied (its budget is consumed at commit)

    @property
    def token(self) -> str:
        """A fingerprint of the numbers: the commit refuses if they moved since the preview."""
        p = self.pricing
        return fingerprint(
            {"member": self.member.member_id, "store": self.store.store_id, "bill": p.bill_fen,
             "discount": p.discount_fen, "points": p.points_used, "value": p.points_value_fen,
             "earn": self.earn.points, "growth": self.earn.growth, "balance": self.balance,
             **self._stages()}
        )[:32]  # fmt: skip

    def _stages(self) -> dict[str, object]:
        """The coupon and wallet figures, only when used (older tokens stay valid without them)."""
        p, out = self.pricing, dict[str, object]()
        if p.coupon is not None:
            out["coupon"] = (p.coupon.coupon_id, p.coupon_fen)
        if p.wallet_fen:
            out["wallet"] = (p.wallet.principal_fen, p.wallet.bonus_fen, self.wallet_balance.total_fen)
        return out


@dataclass(frozen=True)
class Choices:
    """What the cashier chose beyond points: a coupon, an amount of stored value."""

    coupon_id: str | None = None
    wallet_fen: int = 0
    preview: bool = False  # a preview also lists the member's coupons; a commit locks what it uses


def quote(
    conn: Connection,
    ports: CounterPorts,
    *,
    alliance_id: str,
    store: StoreRef,
    member: MemberRef,
    amount_fen: int,
    lines: tuple[CategoryLine, ...],
    requested_points: int | None,
    balance: int,
    occurred_at: datetime,
    now: datetime,
    loyalty: LoyaltyConfig,
    choices: Choices = Choices(),
) -> Quote:
    settings = loyalty.settings
    terms = ports.merchants.terms_in_force(conn, alliance_id, store.merchant_id, occurred_at)
    tier = NO_TIER
    if member.is_member:
        tier = ports.tiers.benefits(
            conn, alliance_id=alliance_id, member_id=member.member_id, merchant_id=store.merchant_id,
            at=occurred_at,
        )  # fmt: skip
    priced = partial(
        price, amount_fen, member_discount=terms.member_discount, is_member=member.is_member,
        balance_points=balance, requested_points=requested_points, settings=settings, tier=tier,
    )  # fmt: skip
    # Coupons are judged on the bill after the tier/member discount (stage 2 alone).
    discount, _ = discount_stage(
        amount_fen, member_discount=terms.member_discount, tier=tier, is_member=member.is_member
    )
    after_discount = amount_fen - discount
    coupon: CouponOffer | None = None
    coupons: tuple[CouponOffer, ...] = ()
    if choices.coupon_id:
        coupon = ports.coupons.judge(
            conn, alliance_id=alliance_id, member_id=member.member_id, coupon_id=choices.coupon_id,
            merchant_id=store.merchant_id, store_id=store.store_id, amount_fen=after_discount,
            at=occurred_at, lock=not choices.preview,
        )  # fmt: skip
    if choices.preview and member.is_member:
        coupons = ports.coupons.offers(
            conn, alliance_id=alliance_id, member_id=member.member_id, merchant_id=store.merchant_id,
            store_id=store.store_id, amount_fen=after_discount, at=occurred_at,
        )  # fmt: skip
    wallet_balance = NO_WALLET
    if choices.wallet_fen or choices.preview:
        wallet_balance = ports.wallet.balance(
            conn, alliance_id=alliance_id, member_id=member.member_id, lock=not choices.preview
        )
    pricing = priced(coupon=coupon)
    if choices.wallet_fen > 0 and wallet_balance.total_fen > 0:
        # A preview shows what fits; a commit is checked against the exact request later.
        amount = min(choices.wallet_fen, wallet_balance.total_fen, wallet_room(pricing))
        if amount > 0:
            split = ports.wallet.split(
                conn, alliance_id=alliance_id, balance=wallet_balance, amount_fen=amount
            )
            pricing = priced(coupon=coupon, wallet=split, balance_wallet_fen=wallet_balance.total_fen)
    rules = loyalty.rules_in_force(store.merchant_id, occurred_at)
    earned_today = 0
    if effective_cap(rules.daily_cap, settings.daily_cap) is not None:  # only a daily cap needs the sum
        day = business_date(occurred_at)
        earned_today = CounterRepository(conn, alliance_id).earned_today(
            member.member_id, store.merchant_id, start_of_business_day(day), end_of_business_day(day)
        )
    base = pricing.earn_base_fen
    campaigns = loyalty.campaigns_within_dates(occurred_at)
    applicable = [
        c for c in campaigns
        if c.applies(at=occurred_at, merchant_id=store.merchant_id, trade_category=store.trade_category,
                     is_member=member.is_member)
    ]  # fmt: skip
    # A commit locks the budgets it may take from until it commits: the next purchase sees the rest.
    budgets_left = campaign_budgets.left(conn, alliance_id, applicable, lock=not choices.preview)
    earn = evaluate_earn(
        Purchase(
            base,
            occurred_at,
            tuple(
                EarnLine(x.category, x.amount_fen)
                for x in cash_lines(lines, bill_fen=amount_fen, cash_fen=base)
            ),
        ),
        member=MemberStanding(member.is_member, tier.points_multiplier),
        terms=EarnTerms(store.merchant_id, terms.points_per_yuan, store.trade_category),
        rules=rules,
        campaigns=applicable,
        settings=settings,
        earned_today=earned_today,
        budgets_left=budgets_left,
    )
    available_at = now + timedelta(days=settings.pending_days) if settings.pending_days else None
    return Quote(
        store, member, occurred_at, pricing, earn, available_at, max(balance, 0), tier=tier,
        wallet_balance=wallet_balance, coupons=coupons,
        campaign=next((c for c in applicable if c.campaign_id == earn.campaign_id), None),
    )  # fmt: skip


@dataclass(frozen=True)
class Recorded:
    """The ledger entries a purchase wrote, and the tier change it caused."""

    entry_ids: dict[str, str | None]
    tier_change: TierChange | None = None


def record(
    ledger: Ledger, ports: CounterPorts, q: Quote, *, purchase_id: str, alliance_id: str, limited: bool
) -> Recorded:
    """Use the coupon, pay from the wallet, spend the points used, award the points earned, add
    growth and let the tier react: the ledger entry ids and the tier change.

    ``limited``: the merchant has an issuance limit, so the award is checked against it first.
    """
    member, merchant, conn = q.member.member_id, q.store.merchant_id, ledger.conn
    ids: dict[str, str | None] = {"spend_entry_id": None, "award_entry_id": None, "growth_entry_id": None}
    p = q.pricing
    if p.coupon is not None:
        ports.coupons.use(
            conn, alliance_id=alliance_id, member_id=member, coupon=p.coupon, merchant_id=merchant,
            store_id=q.store.store_id, purchase_id=purchase_id, at=q.occurred_at,
        )  # fmt: skip
    if p.wallet_fen:
        ids["wallet_entry_id"] = ports.wallet.pay(
            conn, alliance_id=alliance_id, member_id=member, merchant_id=merchant, purchase_id=purchase_id,
            split=p.wallet, at=q.occurred_at,
        )  # fmt: skip
    if p.points_used:
        ids["spend_entry_id"] = ledger.spend(
            member_id=member, at=chart.merchant_redeemed(merchant), amount=p.points_used,
            idempotency_key=f"{purchase_id}:spend", reference=purchase_id, occurred_at=q.occurred_at,
        ).entry_id  # fmt: skip
    if q.campaign is not None:
        campaign_budgets.consume(conn, alliance_id, q.campaign, q.earn.campaign_points)
    if q.earn.points:
        if limited:
            ports.issuance.check_issuance(conn, alliance_id, merchant, q.earn.points, q.occurred_at)
        ids["award_entry_id"] = ledger.award(
            member_id=member, issuer=chart.merchant_issued(merchant), amount=q.earn.points,
            idempotency_key=f"{purchase_id}:award", available_at=q.available_at, reference=purchase_id,
            occurred_at=q.occurred_at,
        ).entry_id  # fmt: skip
    change = None
    if q.earn.growth:
        ids["growth_entry_id"] = ledger.grant_growth(
            member_id=member, amount=q.earn.growth, idempotency_key=f"{purchase_id}:growth",
            reference=purchase_id, occurred_at=q.occurred_at,
        ).entry_id  # fmt: skip
        change = ports.tiers.after_purchase(
            conn, alliance_id=alliance_id, member_id=member, purchase_id=purchase_id, growth=q.earn.growth,
            at=q.occurred_at, ready=ledger.flush_claims,
        )  # fmt: skip
    return Recorded(ids, change)


def figures(q: Quote, *, order_no: str, source: str) -> PurchaseFigures:
    p = q.pricing
    pending = q.available_at if q.available_at and q.earn.points else None
    return PurchaseFigures(
        order_no=order_no, source=source, merchant_id=q.store.merchant_id,
        merchant_name=q.store.merchant_name, store_id=q.store.store_id, member=member_shown(q.member, q.tier),
        bill_fen=p.bill_fen, discount_fen=p.discount_fen, payable_fen=p.payable_fen,
        points_used=p.points_used, points_value_fen=p.points_value_fen, cash_fen=p.cash_fen,
        points_earned=q.earn.points, points_pending_until=pending, growth=q.earn.growth,
        price_lines=p.lines, earn_lines=q.earn.lines, occurred_at=q.occurred_at,
        coupon_id=p.coupon.coupon_id if p.coupon else None, coupon_title=p.coupon.title if p.coupon else None,
        coupon_fen=p.coupon_fen, wallet_principal_fen=p.wallet.principal_fen,
        wallet_bonus_fen=p.wallet.bonus_fen,
    )  # fmt: skip


def receipt(
    q: Quote,
    *,
    purchase_id: str,
    order_no: str,
    source: str,
    recorded_at: datetime,
    tier_change: TierChange | None = None,
) -> PurchaseReceipt:
    shown = figures(q, order_no=order_no, source=source)
    return PurchaseReceipt(
        **vars(shown), purchase_id=purchase_id, status="committed", recorded_at=recorded_at,
        tier_change=tier_change,
    )  # fmt: skip


def preview(q: Quote, *, order_no: str) -> PurchasePreview:
    redeem = q.pricing.redeem
    offer = RedeemOffer(redeem.points, redeem.fen, redeem.max_points, redeem.reasons)
    shown = figures(q, order_no=order_no, source="counter")
    return PurchasePreview(
        **vars(shown), balance=q.balance, redeem=offer, preview_token=q.token, coupons=q.coupons,
        wallet_principal_balance_fen=q.wallet_balance.principal_fen,
        wallet_bonus_balance_fen=q.wallet_balance.bonus_fen,
    )  # fmt: skip


def member_shown(member: MemberRef, tier: TierBenefits = NO_TIER) -> MemberShown:
    return MemberShown(member.display, member.is_member, tier.tier_name)
