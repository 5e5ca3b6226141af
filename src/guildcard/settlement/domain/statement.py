"""Pricing: activity rows (one per ledger entry or sale) -> statement lines -> one net amount.

Each row is priced with the terms in force at its ``occurred_at``; rows are grouped into one
line per (component, terms version, corrected period) and each line is rounded ONCE, half-up,
from its exact Decimal total. A statement's net is the sum of its lines that the merchant
pays or receives; ``grant_funded`` and platform-kept breakage are shown but move only
platform accounts.

Direct lines (``Component.DIRECT``) are money that another context's entries already moved on
the merchant's settlement account as it happened (coupon funding, stored value, card sales,
mall items): one line per (kind of entry, corrected period) with the count of entries and
their sum. They count in the net, and the closing entry leaves them out (already posted).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from guildcard.settlement.domain import chart
from guildcard.settlement.domain.terms import BreakageMode, SettlementTerms


class Source(StrEnum):
    """What an activity row measures."""

    ISSUED = "issued"  # points awarded by the merchant (net of clawbacks), per entry
    REDEEMED = "redeemed"  # points spent at the merchant (net of give-backs), per entry
    REDEMPTION = "redemption"  # one per redemption entry at the merchant
    GRANT_REDEEMED = "grant_redeemed"  # of the redeemed points, those from platform grants
    EXPIRED = "expired"  # the merchant's issued points that expired, per entry
    SALE = "sale"  # a member sale (fen), per purchase
    ENTRY_FEE = "entry_fee"  # one per contract version with an entry fee
    DIRECT = "direct"  # money an entry moved on the merchant's settlement account (fen), per entry


class Component(StrEnum):
    ISSUE = "issue"
    REIMBURSEMENT = "reimbursement"
    GRANT_FUNDED = "grant_funded"
    COMMISSION = "commission"
    REDEMPTION_FEE = "redemption_fee"
    ENTRY_FEE = "entry_fee"
    BREAKAGE = "breakage"
    DIRECT = "direct"


@dataclass(frozen=True)
class Activity:
    source: Source
    merchant_id: str
    ref: str  # ledger entry id, sale id or terms version
    occurred_at: datetime
    quantity: int
    corrects: str | None = None  # the closed period this late row corrects
    kind: str = ""  # direct rows: the ledger entry's kind (e.g. coupon_funding)


@dataclass(frozen=True)
class Line:
    component: Component
    terms_version: str
    corrects: str | None
    quantity: int
    unit_price: Decimal
    amount: int  # fen, + the merchant owes the alliance, - the alliance owes the merchant
    in_net: bool = True
    kind: str = ""  # direct lines: the kind of entry they sum (label in ``domain.direct``)


@dataclass(frozen=True)
class Figures:
    points_issued: int = 0
    points_redeemed: int = 0
    redemptions: int = 0
    member_sales: int = 0
    issue_value: int = 0
    reimbursement: int = 0
    grant_funded: int = 0
    commission: int = 0
    redemption_fees: int = 0
    entry_fees: int = 0
    breakage_points: int = 0
    breakage_share: int = 0
    direct: int = 0  # the direct lines' sum (+ the merchant owes)
    net: int = 0


FIGURE_NAMES = tuple(Figures.__dataclass_fields__)


@dataclass(frozen=True)
class PricedStatement:
    merchant_id: str
    lines: tuple[Line, ...] = field(default_factory=tuple)

    @property
    def figures(self) -> Figures:
        return figures_of(self.lines)


def round_half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


# component, price of the terms, sign for the merchant: (Source -> how to price it)
_PRICING: dict[Source, tuple[Component, Callable[[SettlementTerms], Decimal], int]] = {
    Source.ISSUED: (Component.ISSUE, lambda t: t.issue_price, +1),
    Source.REDEEMED: (Component.REIMBURSEMENT, lambda t: t.reimbursement, -1),
    Source.GRANT_REDEEMED: (Component.GRANT_FUNDED, lambda t: t.reimbursement, -1),
    Source.REDEMPTION: (Component.REDEMPTION_FEE, lambda t: Decimal(t.redemption_fee), +1),
    Source.SALE: (Component.COMMISSION, lambda t: t.commission_rate, +1),
    Source.ENTRY_FEE: (Component.ENTRY_FEE, lambda t: Decimal(t.entry_fee), +1),
    Source.EXPIRED: (Component.BREAKAGE, lambda t: t.issue_price, -1),
}


def price(
    rows: Iterable[Activity],
    terms_at: Callable[[str, datetime], SettlementTerms],
    *,
    breakage: BreakageMode,
) -> dict[str, PricedStatement]:
    """Price every row with ``terms_at(merchant, occurred_at)``; one ``PricedStatement`` per merchant."""
    totals: dict[tuple[str, Component, str, str | None], list[int]] = defaultdict(lambda: [0])
    prices: dict[tuple[str, Component, str, str | None], tuple[Decimal, int]] = {}
    direct: dict[tuple[str, str, str | None], list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        if row.source is Source.DIRECT:  # already money: counted and summed, not priced
            sums = direct[(row.merchant_id, row.kind, row.corrects)]
            sums[0] += 1
            sums[1] += row.quantity
            continue
        terms = terms_at(row.merchant_id, row.occurred_at)
        component, price_of, sign = _PRICING[row.source]
        key = (row.merchant_id, component, terms.version, row.corrects)
        totals[key][0] += row.quantity
        prices[key] = (price_of(terms), sign)
    lines: dict[str, list[Line]] = defaultdict(list)
    for key in sorted(totals, key=lambda k: (k[0], list(Component).index(k[1]), k[2], k[3] or "")):
        merchant, component, version, corrects = key
        quantity = totals[key][0]
        unit_price, sign = prices[key]
        in_net = component is not Component.GRANT_FUNDED and not (
            component is Component.BREAKAGE and breakage is BreakageMode.PLATFORM
        )
        amount = sign * round_half_up(Decimal(quantity) * unit_price)
        lines[merchant].append(Line(component, version, corrects, quantity, unit_price, amount, in_net))
    for (merchant, kind, corrects), (count, amount) in sorted(
        direct.items(), key=lambda i: _direct_order(i[0])
    ):
        lines[merchant].append(Line(Component.DIRECT, "", corrects, count, Decimal(0), amount, True, kind))
    return {m: PricedStatement(m, tuple(ls)) for m, ls in lines.items()}


def _direct_order(key: tuple[str, str, str | None]) -> tuple[str, str, str]:
    merchant, kind, corrects = key
    return merchant, kind, corrects or ""


def figures_of(lines: Iterable[Line]) -> Figures:
    """The statement's figures: quantities and amounts per component, credits shown positive."""
    sums: dict[str, int] = defaultdict(int)
    for line in lines:
        quantity_name, amount_name, sign = _FIGURE_OF[line.component]
        if quantity_name:
            sums[quantity_name] += line.quantity
        if line.in_net or line.component is Component.GRANT_FUNDED:
            sums[amount_name] += sign * line.amount
        if line.in_net:
            sums["net"] += line.amount
    return Figures(**sums)


# component -> (quantity figure, amount figure, sign that shows the amount as a magnitude)
_FIGURE_OF: dict[Component, tuple[str | None, str, int]] = {
    Component.ISSUE: ("points_issued", "issue_value", +1),
    Component.REIMBURSEMENT: ("points_redeemed", "reimbursement", -1),
    Component.GRANT_FUNDED: (None, "grant_funded", -1),
    Component.COMMISSION: ("member_sales", "commission", +1),
    Component.REDEMPTION_FEE: ("redemptions", "redemption_fees", +1),
    Component.ENTRY_FEE: (None, "entry_fees", +1),
    Component.BREAKAGE: ("breakage_points", "breakage_share", -1),
    Component.DIRECT: (None, "direct", +1),
}


def postings(merchant_id: str, lines: Iterable[Line], *, breakage: BreakageMode) -> list[tuple[str, int]]:
    """The FEN postings that settle these lines: (account, amount), summing to zero, no zeros."""
    merchant = chart.merchant_settlement(merchant_id)
    out: dict[str, int] = defaultdict(int)
    for line in lines:
        a = line.amount
        match line.component:
            case Component.ISSUE | Component.REIMBURSEMENT:
                out[merchant] += a
                out[chart.CLEARING] -= a
            case Component.GRANT_FUNDED:  # part of the reimbursement is paid by marketing, not the float
                out[chart.CLEARING] += a
                out[chart.MARKETING] -= a
            case Component.COMMISSION:
                out[merchant] += a
                out[chart.COMMISSION] -= a
            case Component.REDEMPTION_FEE:
                out[merchant] += a
                out[chart.REDEMPTION_FEES] -= a
            case Component.ENTRY_FEE:
                out[merchant] += a
                out[chart.ENTRY_FEES] -= a
            case Component.BREAKAGE:
                out[merchant if breakage is BreakageMode.ISSUERS_PRO_RATA else chart.BREAKAGE] += a
                out[chart.CLEARING] -= a
            case Component.DIRECT:  # posted by its own entries as it happened
                pass
    return [(account, amount) for account, amount in out.items() if amount]
