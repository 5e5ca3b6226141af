"""Using a coupon at the counter (核销), inside the counter's commit transaction, and giving it back.

Called by the counter's ``CouponDesk`` adapter with the counter command's connection: the use is
a conditional update (unused -> used), so two tills can never both use one coupon; its funding
is a FEN ledger entry (``coupon_funding``) between the merchant where it was used, the issuer
and the alliance's marketing account, which settlement turns into statement lines. A refund of
the whole purchase gives the coupon back while its window is open (else it is expired) and
reverses the funding entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from guildcard.kernel.clock import FixedClock
from guildcard.ledger import Ledger, Posting, Unit
from guildcard.ledger.reversal import reverse
from guildcard.rewards.domain.coupons import (
    Coupon,
    CouponAlreadyUsed,
    CouponNotFound,
    CouponNotUsable,
    CouponState,
    Place,
    Verdict,
    funding_lines,
    judge,
)
from guildcard.rewards.storage.coupons import CouponRepository

FUNDING_KIND = "coupon_funding"


@dataclass(frozen=True)
class UsedCoupon:
    coupon: Coupon
    discount_fen: int
    funding_entry_id: str | None


def judge_for_member(
    conn: Connection, alliance_id: str, *, member_id: str, coupon_id: str, place: Place, bill_fen: int,
    at: datetime, with_points: bool = False, lock: bool = False,
) -> Verdict:  # fmt: skip
    """One of the member's coupons judged for this bill (``lock``: under its row lock, at commit)."""
    repo = CouponRepository(conn)
    found = repo.get(alliance_id, coupon_id, for_update=lock)
    if found is None or found.member_id != member_id:
        raise CouponNotFound(coupon_id=coupon_id)
    return judge(found, bill_fen=bill_fen, place=place, at=at, with_points=with_points)


def use_coupon(
    conn: Connection, alliance_id: str, *, verdict: Verdict, place: Place, purchase_id: str, at: datetime,
) -> UsedCoupon:  # fmt: skip
    """Use a coupon judged usable, once; post its funding. The second till gets ``CouponAlreadyUsed``."""
    if not verdict.usable:
        raise CouponNotUsable(coupon_id=verdict.coupon.coupon_id, reason=str(verdict.reason))
    repo = CouponRepository(conn)
    used = repo.mark_used(
        alliance_id, verdict.coupon, purchase_id=purchase_id, merchant_id=place.merchant_id,
        store_id=place.store_id, discount_fen=verdict.discount_fen, now=at,
    )  # fmt: skip
    if used is None:
        raise CouponAlreadyUsed(coupon_id=verdict.coupon.coupon_id)
    lines = funding_lines(used.rules, verdict.discount_fen, place.merchant_id)
    entry_id = None
    if lines:
        ledger = Ledger(conn, alliance_id=alliance_id, clock=FixedClock(at))
        entry = ledger.post(
            kind=FUNDING_KIND,
            postings=[Posting(line.account, Unit.FEN, line.amount) for line in lines],
            idempotency_key=f"coupon_funding:{used.coupon_id}:{purchase_id}",
            reference=purchase_id,
        )
        entry_id = entry.entry_id
        repo.set_funding_entry(alliance_id, used.coupon_id, entry_id)
    return UsedCoupon(used, verdict.discount_fen, entry_id)


def give_back(
    conn: Connection, alliance_id: str, *, purchase_id: str, coupon_id: str, refund_id: str, at: datetime
) -> bool:
    """The purchase was refunded: the coupon is unused again (expired past its window), funding reversed."""
    repo = CouponRepository(conn)
    found = repo.get(alliance_id, coupon_id, for_update=True)
    if found is None or found.purchase_id != purchase_id or found.state is not CouponState.USED:
        return False
    entry_id = repo.funding_entry(alliance_id, coupon_id)
    back = CouponState.UNUSED if at < found.valid_until else CouponState.EXPIRED
    if not repo.give_back(alliance_id, found, state=back):
        return False
    if entry_id is not None:
        ledger = Ledger(conn, alliance_id=alliance_id, clock=FixedClock(at))
        reverse(
            ledger,
            entry_id,
            idempotency_key=f"coupon_funding_back:{coupon_id}:{refund_id}",
            reference=refund_id,
        )
    return back is CouponState.UNUSED
