"""The counter's ``CouponDesk``, implemented with the rewards context's coupons.

Offers and judgements read the member's coupons on the counter's connection; ``use`` flips the
coupon to used with a conditional update and posts its funding in the counter's commit
transaction; a whole refund gives it back (its window still open) and reverses the funding.
A coupon that does not apply raises the counter's ``CouponNotUsable`` with a stable reason code.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from guildcard.counter.domain.errors import CouponNotUsable
from guildcard.counter.domain.stages import AppliedCoupon, CouponOffer
from guildcard.rewards.domain.coupons import CouponNotFound, Place, Reason, Verdict
from guildcard.rewards.handlers import coupon_use
from guildcard.rewards.ports import PlaceSource
from guildcard.rewards.queries import coupons as coupon_queries

# The reason a coupon does not apply, as the counter's clients read it.
REASON_CODES = {
    Reason.THRESHOLD: "rewards.coupon_below_threshold",
    Reason.STORE: "rewards.coupon_other_store",
    Reason.MERCHANT: "rewards.coupon_other_merchant",
    Reason.TRADE: "rewards.coupon_other_trade",
    Reason.NOT_YET: "rewards.coupon_not_yet_valid",
    Reason.EXPIRED: "rewards.coupon_expired",
    Reason.STATE: "rewards.coupon_used_or_void",
    Reason.STACKING: "rewards.coupon_excludes_points",
    Reason.EXCHANGE: "rewards.coupon_exchange_only",
    Reason.NOT_EXCHANGE: "rewards.coupon_not_exchange",
}


def offer_of(verdict: Verdict) -> CouponOffer:
    rules = verdict.coupon.rules
    reason = REASON_CODES[verdict.reason] if verdict.reason is not None else None
    return CouponOffer(
        verdict.coupon.coupon_id, rules.name, verdict.discount_fen, verdict.usable, reason,
        rules.stackable_with_points,
    )  # fmt: skip


class RewardsCouponDesk:
    def __init__(self, places: PlaceSource) -> None:
        self._places = places

    def _place(self, conn: Connection, alliance_id: str, store_id: str) -> Place:
        return self._places.place(conn, alliance_id, store_id)

    def offers(
        self, conn: Connection, *, alliance_id: str, member_id: str, merchant_id: str, store_id: str,
        amount_fen: int, at: datetime,
    ) -> tuple[CouponOffer, ...]:  # fmt: skip
        place = self._place(conn, alliance_id, store_id)
        verdicts = coupon_queries.offers(
            conn, alliance_id, member_id=member_id, place=place, bill_fen=amount_fen, at=at
        )
        return tuple(offer_of(v) for v in verdicts)

    def _verdict(
        self, conn: Connection, *, alliance_id: str, member_id: str, coupon_id: str, store_id: str,
        amount_fen: int, at: datetime, lock: bool,
    ) -> tuple[Verdict, Place]:  # fmt: skip
        place = self._place(conn, alliance_id, store_id)
        try:
            verdict = coupon_use.judge_for_member(
                conn, alliance_id, member_id=member_id, coupon_id=coupon_id, place=place, bill_fen=amount_fen,
                at=at, lock=lock,
            )  # fmt: skip
        except CouponNotFound:
            raise CouponNotUsable(coupon_id=coupon_id, reason="unknown") from None
        if not verdict.usable:
            assert verdict.reason is not None
            raise CouponNotUsable(coupon_id=coupon_id, reason=REASON_CODES[verdict.reason])
        return verdict, place

    def judge(
        self, conn: Connection, *, alliance_id: str, member_id: str, coupon_id: str, merchant_id: str,
        store_id: str, amount_fen: int, at: datetime, lock: bool,
    ) -> CouponOffer:  # fmt: skip
        verdict, _ = self._verdict(
            conn, alliance_id=alliance_id, member_id=member_id, coupon_id=coupon_id, store_id=store_id,
            amount_fen=amount_fen, at=at, lock=lock,
        )  # fmt: skip
        return offer_of(verdict)

    def use(
        self, conn: Connection, *, alliance_id: str, member_id: str, coupon: CouponOffer, merchant_id: str,
        store_id: str, purchase_id: str, at: datetime,
    ) -> AppliedCoupon:  # fmt: skip
        place = self._place(conn, alliance_id, store_id)
        found = coupon_queries.coupon(conn, alliance_id, coupon.coupon_id)
        if found is None or found.member_id != member_id:
            raise CouponNotUsable(coupon_id=coupon.coupon_id, reason="unknown")
        verdict = Verdict(found, coupon.discount_fen)
        try:
            used = coupon_use.use_coupon(
                conn, alliance_id, verdict=verdict, place=place, purchase_id=purchase_id, at=at
            )
        except Exception as exc:
            if getattr(exc, "code", "") in {"rewards.coupon_already_used", "rewards.coupon_not_usable"}:
                raise CouponNotUsable(coupon_id=coupon.coupon_id, reason=REASON_CODES[Reason.STATE]) from exc
            raise
        return AppliedCoupon(used.coupon.coupon_id, coupon.title, used.discount_fen)

    def on_refund(
        self, conn: Connection, *, alliance_id: str, purchase_id: str, coupon_id: str, refund_id: str,
        final: bool, at: datetime,
    ) -> bool:  # fmt: skip
        """The alliance's policy: a whole refund gives the coupon back; a partial one keeps it used."""
        if not final:
            return False
        return coupon_use.give_back(
            conn, alliance_id, purchase_id=purchase_id, coupon_id=coupon_id, refund_id=refund_id, at=at
        )
