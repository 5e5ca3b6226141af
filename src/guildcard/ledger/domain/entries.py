"""Units, account codes, postings and entries: an entry cannot be built unbalanced."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from guildcard.ledger.domain.errors import InvalidAmount, UnbalancedEntry


class Unit(StrEnum):
    POINT = "POINT"
    FEN = "FEN"
    GROWTH = "GROWTH"


class Kind(StrEnum):
    AWARD = "award"
    AWARD_PENDING = "award_pending"
    RELEASE = "release"
    SPEND = "spend"
    HOLD = "hold"
    HOLD_COMMIT = "hold_commit"
    HOLD_VOID = "hold_void"
    REVERSAL = "reversal"
    EXPIRY = "expiry"
    GROWTH = "growth"


# --- the chart of accounts (DESIGN.md) ----------------------------------------------------

PLATFORM_GRANTS = "platform:grants"
PLATFORM_MALL = "platform:mall"
PLATFORM_BREAKAGE = "platform:breakage"
PLATFORM_GROWTH = "platform:growth"


def member_points(member_id: str) -> str:
    return f"member:{member_id}:points"


def member_pending(member_id: str) -> str:
    return f"member:{member_id}:pending"


def member_held(member_id: str) -> str:
    """Points reserved by open holds (two-phase spends)."""
    return f"member:{member_id}:held"


def member_growth(member_id: str) -> str:
    return f"member:{member_id}:growth"


def member_wallet(member_id: str) -> str:
    return f"member:{member_id}:wallet"


def member_wallet_bonus(member_id: str) -> str:
    return f"member:{member_id}:wallet_bonus"


def merchant_issued(merchant_id: str) -> str:
    return f"merchant:{merchant_id}:issued"


def merchant_redeemed(merchant_id: str) -> str:
    return f"merchant:{merchant_id}:redeemed"


def merchant_settlement(merchant_id: str) -> str:
    return f"merchant:{merchant_id}:settlement"


# Member accounts whose balance moves only with lots or holds (award/spend/hold API only).
LOT_SUFFIXES = ("points", "pending", "held")
UNIT_BY_MEMBER_SUFFIX = {
    "points": Unit.POINT,
    "pending": Unit.POINT,
    "held": Unit.POINT,
    "growth": Unit.GROWTH,
    "wallet": Unit.FEN,  # stored value: the principal
    "wallet_bonus": Unit.FEN,  # stored value: the bonus part, kept apart
}


@dataclass(frozen=True)
class AccountRef:
    """What an account code says about its owner: ``member:{id}:points`` -> member, id, points."""

    code: str
    owner_kind: str
    owner_id: str | None
    name: str

    @property
    def is_member(self) -> bool:
        return self.owner_kind == "member"


def parse_account(code: str) -> AccountRef:
    parts = code.split(":")
    if parts[0] in {"member", "merchant"} and len(parts) == 3 and parts[1] and parts[2]:
        return AccountRef(code, parts[0], parts[1], parts[2])
    if parts[0] == "platform" and len(parts) >= 2 and all(parts[1:]):
        return AccountRef(code, "platform", None, ":".join(parts[1:]))
    raise ValueError(f"not an account code: {code!r}")


def positive(amount: int) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise InvalidAmount(amount=amount)
    return amount


# --- postings and entries ------------------------------------------------------------------


@dataclass(frozen=True)
class Posting:
    account: str
    unit: Unit
    amount: int

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise InvalidAmount(amount=self.amount)
        parse_account(self.account)


@dataclass(frozen=True)
class EntryHeader:
    """An entry before its postings are known: what the idempotency claim stores first."""

    id: str
    alliance_id: str
    kind: str
    occurred_at: datetime
    recorded_at: datetime
    reference: str | None = None
    reverses: str | None = None
    member_id: str | None = None
    counterparty: str | None = None
    amount: int | None = None

    def with_postings(self, postings: tuple[Posting, ...]) -> Entry:
        return Entry(
            id=self.id,
            alliance_id=self.alliance_id,
            kind=self.kind,
            occurred_at=self.occurred_at,
            recorded_at=self.recorded_at,
            postings=postings,
            reference=self.reference,
            reverses=self.reverses,
            member_id=self.member_id,
            counterparty=self.counterparty,
            amount=self.amount,
        )


@dataclass(frozen=True)
class Entry:
    """One business event. Building it checks that its postings sum to zero per unit."""

    id: str
    alliance_id: str
    kind: str
    occurred_at: datetime
    recorded_at: datetime
    postings: tuple[Posting, ...]
    reference: str | None = None
    reverses: str | None = None
    member_id: str | None = None
    counterparty: str | None = None
    amount: int | None = None

    def __post_init__(self) -> None:
        check_balanced(self.postings)


def check_balanced(postings: tuple[Posting, ...]) -> None:
    if len(postings) < 2:
        raise UnbalancedEntry("an entry needs at least two postings")
    totals: dict[Unit, int] = defaultdict(int)
    for posting in postings:
        totals[posting.unit] += posting.amount
    off = {unit.value: total for unit, total in totals.items() if total != 0}
    if off:
        raise UnbalancedEntry(totals=off)


def transfer(source: str, target: str, unit: Unit, amount: int) -> tuple[Posting, Posting]:
    """``amount`` moves from ``source`` to ``target`` (debit source, credit target)."""
    return Posting(source, unit, -amount), Posting(target, unit, amount)


def negated(postings: tuple[Posting, ...]) -> tuple[Posting, ...]:
    return tuple(Posting(p.account, p.unit, -p.amount) for p in postings)
