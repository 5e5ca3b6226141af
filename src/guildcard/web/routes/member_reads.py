"""What the member pages show, read from the ledger and the alliance: plain values for templates.

The member may not use the operators' merchant service (it is for staff), so the public facts
of the alliance (active merchants, their stores, trade categories) are read here directly,
through the alliance's queries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from pypinyin import Style, lazy_pinyin

from guildcard.alliance import queries as alliance
from guildcard.alliance.domain.model import MerchantStatus
from guildcard.bootstrap import Container
from guildcard.counter import queries as counter
from guildcard.kernel.clock import business_date
from guildcard.ledger import LedgerQueries, chart
from guildcard.ledger.domain.results import Balance, HistoryItem

EXPIRING_DAYS = 30
HISTORY_LIMIT = 100

# Message ids (translated in member.po) for each kind of ledger entry the member can see.
KIND_LABELS = {
    "award": "Earned",
    "award_pending": "Earned (pending)",
    "release": "Now spendable",
    "spend": "Spent",
    "hold": "Reserved",
    "hold_commit": "Spent",
    "hold_void": "Reservation released",
    "reversal": "Refund",
    "expiry": "Expired",
    "adjustment": "Adjustment",
}
PLATFORM_LABELS = {
    chart.PLATFORM_GRANTS: "The alliance",
    chart.PLATFORM_MALL: "Points mall",
    chart.PLATFORM_BREAKAGE: "Expiry",
}


@dataclass(frozen=True)
class Summary:
    balance: Balance
    expiring_points: int  # spendable points that expire within EXPIRING_DAYS
    next_expiry: datetime | None  # when the soonest of them expires


@dataclass(frozen=True)
class Movement:
    entry_id: str
    occurred_at: datetime
    kind_label: str  # message id
    points: int
    pending: int
    merchant: str | None  # the merchant's name, when a merchant is on the other side
    platform_label: str | None  # message id, when the alliance itself is


@dataclass(frozen=True)
class StoreListing:
    name: str
    address: str


@dataclass(frozen=True)
class MerchantListing:
    id: str
    name: str
    initials: str
    stores: tuple[StoreListing, ...]


@dataclass(frozen=True)
class CategoryGroup:
    code: str
    name: str
    initials: str
    merchants: tuple[MerchantListing, ...]


def summary(container: Container, alliance_id: str, member_id: str) -> Summary:
    now = container.clock.now()
    with container.database.read() as conn:
        queries = LedgerQueries(conn, alliance_id=alliance_id)
        balance = queries.balance(member_id)
        expiring = queries.expiring_within(member_id, days=EXPIRING_DAYS, now=now)
    return Summary(
        balance=balance,
        expiring_points=sum(lot.remaining for lot in expiring),
        next_expiry=expiring[0].expires_at if expiring else None,
    )


@dataclass(frozen=True)
class ExpiryGroup:
    """Points that expire at the end of one day (Asia/Shanghai): ``2027-12-31 到期 120 积分``."""

    last_day: date
    points: int


def expiry_groups(container: Container, alliance_id: str, member_id: str) -> list[ExpiryGroup]:
    """The member's spendable points by the last day they may be spent, soonest first."""
    with container.database.read() as conn:
        lots = LedgerQueries(conn, alliance_id=alliance_id).lots(member_id)
    totals: dict[date, int] = {}
    for lot in lots:
        if lot.state == "active" and lot.remaining > 0 and lot.expires_at is not None:
            day = business_date(lot.expires_at - timedelta(seconds=1))  # an end bound: its last day
            totals[day] = totals.get(day, 0) + lot.remaining
    return [ExpiryGroup(day, points) for day, points in sorted(totals.items())]


VISIT_MINUTES = 10  # the card tells the member about a purchase this recent


@dataclass(frozen=True)
class RecentVisit:
    purchase_id: str
    merchant_name: str
    payable_fen: int
    points_earned: int
    points_used: int


def recent_visit(container: Container, alliance_id: str, member_id: str) -> RecentVisit | None:
    """The member's purchase of the last few minutes, for the card to say what just happened."""
    since = container.clock.now() - timedelta(minutes=VISIT_MINUTES)
    with container.database.read() as conn:
        visit = counter.latest_visit(conn, alliance_id, member_id, since)
        if visit is None:
            return None
        names = {m.id: m.name for m in alliance.list_merchants(conn, alliance_id)}
    return RecentVisit(
        visit.purchase_id, names.get(visit.merchant_id, ""), visit.payable_fen, visit.points_earned,
        visit.points_used,
    )  # fmt: skip


def movements(container: Container, alliance_id: str, member_id: str) -> list[Movement]:
    """The member's ledger entries, newest first, each with the merchant it happened at."""
    with container.database.read() as conn:
        items = LedgerQueries(conn, alliance_id=alliance_id).history(member_id, limit=HISTORY_LIMIT)
        names = {m.id: m.name for m in alliance.list_merchants(conn, alliance_id)}
    return [_movement(item, names) for item in items if item.points or item.pending]


def _movement(item: HistoryItem, names: dict[str, str]) -> Movement:
    merchant, platform = None, None
    if item.counterparty:
        parts = item.counterparty.split(":")
        if parts[0] == "merchant" and len(parts) == 3:
            merchant = names.get(parts[1], parts[1])
        else:
            platform = PLATFORM_LABELS.get(item.counterparty, "The alliance")
    return Movement(
        entry_id=item.entry_id,
        occurred_at=item.occurred_at,
        kind_label=KIND_LABELS.get(item.kind, "Other"),
        points=item.points,
        pending=item.pending,
        merchant=merchant,
        platform_label=platform,
    )


def initials(text: str) -> str:
    """Pinyin initials of the Chinese characters, other letters and digits kept: 火锅 KTV -> hgktv."""
    joined = "".join(lazy_pinyin(text, style=Style.FIRST_LETTER))
    return re.sub(r"[^0-9a-z]", "", joined.lower())


def matches(query: str, listing: MerchantListing, category_name: str) -> bool:
    """A query matches the merchant's or its trade's name, or their pinyin initials ("hg" -> 火锅)."""
    needle = query.strip().lower()
    if not needle:
        return True
    compact = re.sub(r"\s+", "", needle)
    return any(
        needle in text.lower() or (compact.isascii() and compact in initials(text))
        for text in (listing.name, category_name)
    )


def directory(container: Container, alliance_id: str, query: str = "") -> list[CategoryGroup]:
    """Active merchants with their open stores, by trade category (the alliance's order)."""
    with container.database.read() as conn:
        categories = alliance.categories(conn, alliance_id)
        merchants = alliance.list_merchants(conn, alliance_id, status=MerchantStatus.ACTIVE.value)
        stores = {m.id: alliance.list_stores(conn, alliance_id, m.id) for m in merchants}
    names = {c.code: c.name for c in categories}
    order = [c.code for c in categories] + sorted({m.category for m in merchants} - set(names))
    groups = []
    for code in order:
        listings = [
            MerchantListing(
                id=m.id,
                name=m.name,
                initials=initials(m.name),
                stores=tuple(StoreListing(s.name, s.address) for s in stores[m.id] if s.closed_at is None),
            )
            for m in sorted((m for m in merchants if m.category == code), key=lambda m: initials(m.name))
        ]
        kept = tuple(x for x in listings if matches(query, x, names.get(code, code)))
        if kept:
            name = names.get(code, code)
            groups.append(CategoryGroup(code, name, initials(name), kept))
    return groups


def merchant_count(groups: Iterable[CategoryGroup]) -> int:
    return sum(len(g.merchants) for g in groups)
