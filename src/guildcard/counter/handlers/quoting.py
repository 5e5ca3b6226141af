"""Quote and record a purchase on the command's connection: pricing, earn, ledger moves.

Shared by the preview, the counter commit (now) and backfill (a past purchase): the earn
rules, campaigns and contract terms are those in force when the purchase happened; pending
points become available ``pending_days`` after *now*. Every read is on the caller's
connection, so a commit reads its terms, rules and campaigns in its own transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection

from guildcard.counter.domain.amounts import CategoryLine
from guildcard.counter.domain.pricing import Pricing, cash_lines, price
from guildcard.counter.domain.receipts import (
    MemberShown,
    PurchaseFigures,
    PurchasePreview,
    PurchaseReceipt,
    RedeemOffer,
)
from guildcard.counter.ports import CounterPorts, MemberRef, StoreRef
from guildcard.counter.storage.repository import CounterRepository
from guildcard.kernel.clock import business_date, end_of_business_day, start_of_business_day
from guildcard.kernel.fingerprint import fingerprint
from guildcard.ledger import Ledger, chart
from guildcard.loyalty.domain import CategoryLine as EarnLine
from guildcard.loyalty.domain import (
    EarnQuote,
    EarnTerms,
    MemberStanding,
    Purchase,
    evaluate_earn,
)
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

    @property
    def token(self) -> str:
        """A fingerprint of the numbers: the commit refuses if they moved since the preview."""
        p = self.pricing
        return fingerprint(
            {"member": self.member.member_id, "store": self.store.store_id, "bill": p.bill_fen,
             "discount": p.discount_fen, "points": p.points_used, "value": p.points_value_fen,
             "earn": self.earn.points, "growth": self.earn.growth, "balance": self.balance}
        )[:32]  # fmt: skip


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
) -> Quote:
    settings = loyalty.settings
    terms = ports.merchants.terms_in_force(conn, alliance_id, store.merchant_id, occurred_at)
    pricing = price(
        amount_fen,
        member_discount=terms.member_discount,
        is_member=member.is_member,
        balance_points=balance,
        requested_points=requested_points,
        settings=settings,
    )
    rules = loyalty.rules_in_force(store.merchant_id, occurred_at)
    earned_today = 0
    if effective_cap(rules.daily_cap, settings.daily_cap) is not None:  # only a daily cap needs the sum
        day = business_date(occurred_at)
        earned_today = CounterRepository(conn, alliance_id).earned_today(
            member.member_id, store.merchant_id, start_of_business_day(day), end_of_business_day(day)
        )
    cash = pricing.cash_fen
    earn = evaluate_earn(
        Purchase(
            cash,
            occurred_at,
            tuple(
                EarnLine(x.category, x.amount_fen)
                for x in cash_lines(lines, bill_fen=amount_fen, cash_fen=cash)
            ),
        ),
        member=MemberStanding(member.is_member, member.tier_multiplier),
        terms=EarnTerms(store.merchant_id, terms.points_per_yuan, store.trade_category),
        rules=rules,
        campaigns=loyalty.campaigns_within_dates(occurred_at),
        settings=settings,
        earned_today=earned_today,
    )
    available_at = now + timedelta(days=settings.pending_days) if settings.pending_days else None
    return Quote(store, member, occurred_at, pricing, earn, available_at, max(balance, 0))


def record(
    ledger: Ledger, ports: CounterPorts, q: Quote, *, purchase_id: str, alliance_id: str, limited: bool
) -> dict[str, str | None]:
    """Spend the points used, award the points earned, add growth: the ledger entry ids.

    ``limited``: the merchant has an issuance limit, so the award is checked against it first.
    """
    member, merchant = q.member.member_id, q.store.merchant_id
    ids: dict[str, str | None] = {"spend_entry_id": None, "award_entry_id": None, "growth_entry_id": None}
    if q.pricing.points_used:
        ids["spend_entry_id"] = ledger.spend(
            member_id=member, at=chart.merchant_redeemed(merchant), amount=q.pricing.points_used,
            idempotency_key=f"{purchase_id}:spend", reference=purchase_id, occurred_at=q.occurred_at,
        ).entry_id  # fmt: skip
    if q.earn.points:
        if limited:
            ports.issuance.check_issuance(ledger.conn, alliance_id, merchant, q.earn.points, q.occurred_at)
        ids["award_entry_id"] = ledger.award(
            member_id=member, issuer=chart.merchant_issued(merchant), amount=q.earn.points,
            idempotency_key=f"{purchase_id}:award", available_at=q.available_at, reference=purchase_id,
            occurred_at=q.occurred_at,
        ).entry_id  # fmt: skip
    if q.earn.growth:
        ids["growth_entry_id"] = ledger.grant_growth(
            member_id=member, amount=q.earn.growth, idempotency_key=f"{purchase_id}:growth",
            reference=purchase_id, occurred_at=q.occurred_at,
        ).entry_id  # fmt: skip
    return ids


def figures(q: Quote, *, order_no: str, source: str) -> PurchaseFigures:
    p = q.pricing
    pending = q.available_at if q.available_at and q.earn.points else None
    return PurchaseFigures(
        order_no=order_no, source=source, merchant_id=q.store.merchant_id,
        merchant_name=q.store.merchant_name, store_id=q.store.store_id, member=member_shown(q.member),
        bill_fen=p.bill_fen, discount_fen=p.discount_fen, payable_fen=p.payable_fen,
        points_used=p.points_used, points_value_fen=p.points_value_fen, cash_fen=p.cash_fen,
        points_earned=q.earn.points, points_pending_until=pending, growth=q.earn.growth,
        price_lines=p.lines, earn_lines=q.earn.lines, occurred_at=q.occurred_at,
    )  # fmt: skip


def receipt(
    q: Quote, *, purchase_id: str, order_no: str, source: str, recorded_at: datetime
) -> PurchaseReceipt:
    shown = figures(q, order_no=order_no, source=source)
    return PurchaseReceipt(
        **vars(shown), purchase_id=purchase_id, status="committed", recorded_at=recorded_at
    )


def preview(q: Quote, *, order_no: str) -> PurchasePreview:
    redeem = q.pricing.redeem
    offer = RedeemOffer(redeem.points, redeem.fen, redeem.max_points, redeem.reasons)
    shown = figures(q, order_no=order_no, source="counter")
    return PurchasePreview(**vars(shown), balance=q.balance, redeem=offer, preview_token=q.token)


def member_shown(member: MemberRef) -> MemberShown:
    return MemberShown(member.display, member.is_member, member.tier_name)
