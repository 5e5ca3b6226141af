"""The lottery (抽奖), provably fair. Pure functions: commitment, draw, mapping, record, check.

Before a campaign starts GuildCard publishes ``commitment = SHA-256(v1 | campaign | seed | table
hash)``, where the table hash is SHA-256 of the prize table's canonical JSON (ids, kinds, weights,
initial stocks, points). Each draw's random number is ``r = HMAC-SHA256(seed, "campaign:member:n")``
(n: the member's n-th draw in the campaign, from 1), mapped to the weights by rejection sampling
over 64-bit blocks (no modulo bias). After the end the seed is revealed, and anyone recomputes
every draw from the records. An out-of-stock prize, or a points prize beyond the campaign's
budget, falls back to "no prize" (谢谢参与): the record says which prize the number chose, what
was awarded, why, and the stock at that moment.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum

from guildcard.rewards.domain.lottery_errors import LotteryInvalid

VERSION = "guildcard-lottery-v1"
_BLOCK = 8  # bytes per candidate: 64-bit numbers


class PrizeKind(StrEnum):
    POINTS = "points"
    COUPON = "coupon"  # a coupon template (issued by the coupons feature on the prize event)
    MALL_ITEM = "mall_item"
    NONE = "none"  # 谢谢参与


class Outcome(StrEnum):
    WON = "won"
    NO_PRIZE = "no_prize"  # the number chose "thanks for taking part"
    OUT_OF_STOCK = "out_of_stock"  # the chosen prize was gone: falls back to no prize
    OVER_BUDGET = "over_budget"  # the chosen points prize would pass the budget: no prize
    UNAVAILABLE = "unavailable"  # the coupon or mall item could not be given then: no prize


@dataclass(frozen=True)
class Prize:
    id: str  # stable within the campaign: "p1", "p2", ...
    name: str
    kind: PrizeKind
    weight: int
    stock: int | None = None  # None: unlimited (CRMEB's -1)
    points: int = 0  # a points prize
    ref: str | None = None  # coupon template or mall item id


def check_table(prizes: Sequence[Prize]) -> None:
    ids = [p.id for p in prizes]
    problems = []
    if not prizes or len(set(ids)) != len(ids):
        problems.append("prizes")
    if any(p.weight < 0 for p in prizes) or sum(p.weight for p in prizes) <= 0:
        problems.append("weight")
    if any(p.stock is not None and p.stock < 0 for p in prizes):
        problems.append("stock")
    if any(p.kind is PrizeKind.POINTS and p.points <= 0 for p in prizes):
        problems.append("points")
    if any(p.kind in {PrizeKind.COUPON, PrizeKind.MALL_ITEM} and not p.ref for p in prizes):
        problems.append("ref")
    if problems:
        raise LotteryInvalid(fields=problems)


def canonical_table(prizes: Sequence[Prize]) -> bytes:
    rows = [
        {"id": p.id, "name": p.name, "kind": p.kind.value, "weight": p.weight, "stock": p.stock,
         "points": p.points, "ref": p.ref}
        for p in prizes
    ]  # fmt: skip
    return json.dumps(rows, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def table_hash(prizes: Sequence[Prize]) -> str:
    return hashlib.sha256(canonical_table(prizes)).hexdigest()


def new_seed() -> str:
    return secrets.token_hex(32)


def commitment(campaign_id: str, seed_hex: str, prize_table_hash: str) -> str:
    message = f"{VERSION}|{campaign_id}|{seed_hex}|{prize_table_hash}".encode()
    return hashlib.sha256(message).hexdigest()


def draw_message(campaign_id: str, member_id: str, n: int) -> str:
    return f"{campaign_id}:{member_id}:{n}"


def draw_random(seed_hex: str, campaign_id: str, member_id: str, n: int) -> bytes:
    """r = HMAC-SHA256(seed, "campaign:member:n")."""
    return hmac.new(
        bytes.fromhex(seed_hex), draw_message(campaign_id, member_id, n).encode(), "sha256"
    ).digest()


def _blocks(seed_hex: str, first: bytes, message: str) -> Iterator[int]:
    """64-bit candidates: those of r, then of HMAC(seed, message:1), message:2, ... if ever needed."""
    block, extra = first, 0
    while True:
        for i in range(0, len(block), _BLOCK):
            yield int.from_bytes(block[i : i + _BLOCK], "big")
        extra += 1
        block = hmac.new(bytes.fromhex(seed_hex), f"{message}:{extra}".encode(), "sha256").digest()


def pick(prizes: Sequence[Prize], r: bytes, *, seed_hex: str, message: str) -> Prize:
    """Map r to a prize by weight with rejection sampling: candidates in [limit, 2^64) are skipped."""
    total = sum(p.weight for p in prizes)
    space = 1 << (8 * _BLOCK)
    limit = space - space % total
    for candidate in _blocks(seed_hex, r, message):
        if candidate < limit:
            point = candidate % total
            for prize in prizes:
                if point < prize.weight:
                    return prize
                point -= prize.weight
    raise AssertionError("unreachable")  # pragma: no cover


def choose(
    prizes: Sequence[Prize], *, seed_hex: str, campaign_id: str, member_id: str, n: int
) -> tuple[bytes, Prize]:
    r = draw_random(seed_hex, campaign_id, member_id, n)
    return r, pick(prizes, r, seed_hex=seed_hex, message=draw_message(campaign_id, member_id, n))


@dataclass(frozen=True, kw_only=True)
class DrawRecord:
    """What is stored, signed and later checked for each draw."""

    id: str
    alliance_id: str
    campaign_id: str
    member_id: str
    n: int
    random_hex: str
    chosen: str  # the prize id r chose
    awarded: str | None  # the prize given (None: no prize)
    outcome: Outcome
    stock_before: int | None  # the chosen prize's stock at that moment (None: unlimited)
    cost_points: int
    drawn_at: str  # ISO, UTC


def record_message(record: DrawRecord) -> bytes:
    """The canonical bytes a draw's signature covers."""
    fields = {
        "v": VERSION, "id": record.id, "alliance": record.alliance_id, "campaign": record.campaign_id,
        "member": record.member_id, "n": record.n, "r": record.random_hex, "chosen": record.chosen,
        "awarded": record.awarded, "outcome": record.outcome.value, "stock_before": record.stock_before,
        "cost": record.cost_points, "at": record.drawn_at,
    }  # fmt: skip
    return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()


def settle_outcome(chosen: Prize, *, stock_before: int | None, budget_ok: bool) -> tuple[Outcome, str | None]:
    if chosen.kind is PrizeKind.NONE:
        return Outcome.NO_PRIZE, None
    if chosen.stock is not None and (stock_before is None or stock_before <= 0):
        return Outcome.OUT_OF_STOCK, None
    if not budget_ok:
        return Outcome.OVER_BUDGET, None
    return Outcome.WON, chosen.id


def check_draw(record: DrawRecord, prizes: Sequence[Prize], *, seed_hex: str) -> list[str]:
    """Recompute a draw from the revealed seed: the problems found (empty: it holds)."""
    problems = []
    r, chosen = choose(prizes, seed_hex=seed_hex, campaign_id=record.campaign_id, member_id=record.member_id,
                       n=record.n)  # fmt: skip
    if r.hex() != record.random_hex:
        problems.append("the random number is not HMAC(seed, campaign:member:n)")
    if chosen.id != record.chosen:
        problems.append(f"the number chooses {chosen.id}, the record says {record.chosen}")
    if record.outcome is Outcome.WON and record.awarded != chosen.id:
        problems.append("the prize awarded is not the prize chosen")
    if record.outcome is not Outcome.WON and record.awarded is not None:
        problems.append("a prize was awarded on a draw that won nothing")
    if record.outcome is Outcome.OUT_OF_STOCK and (chosen.stock is None or (record.stock_before or 0) > 0):
        problems.append("out of stock is claimed while stock was left")
    if record.outcome is Outcome.WON and chosen.stock is not None and not (record.stock_before or 0) > 0:
        problems.append("a prize was awarded with no stock left")
    if record.outcome is Outcome.NO_PRIZE and chosen.kind is not PrizeKind.NONE:
        problems.append("no prize is claimed for a prize draw")
    if record.outcome is Outcome.UNAVAILABLE and chosen.kind not in (PrizeKind.COUPON, PrizeKind.MALL_ITEM):
        problems.append("only a coupon or mall-item prize can be unavailable")
    return problems


def check_stock_trail(records: Sequence[DrawRecord], prizes: Sequence[Prize]) -> list[str]:
    """Each limited prize's wins took distinct stock positions, never more than the published stock."""
    problems = []
    for prize in prizes:
        if prize.stock is None:
            continue
        positions = [r.stock_before for r in records if r.awarded == prize.id]
        if len(positions) > prize.stock or len(set(positions)) != len(positions):
            problems.append(f"{prize.id}: {len(positions)} wins for a stock of {prize.stock}")
        if any(p is None or p < 1 or p > prize.stock for p in positions):
            problems.append(f"{prize.id}: a win at a stock position outside 1..{prize.stock}")
    return problems
