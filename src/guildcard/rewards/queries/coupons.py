"""Coupon reads for pages, the counter's coupon desk and the demo, on the caller's connection."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import Connection

from guildcard.rewards.domain.coupons import (
    ClaimWay,
    Coupon,
    CouponState,
    CouponTemplate,
    Place,
    Verdict,
    best_first,
    judge,
)
from guildcard.rewards.storage.coupons import CouponRepository


@dataclass(frozen=True)
class CentreItem:
    """A template in the coupon centre, as one member sees it."""

    template: CouponTemplate
    held: int  # how many this member has claimed
    claimable: bool


def as_of(coupon: Coupon, now: datetime) -> Coupon:
    """The coupon's state as a member reads it now: an unused coupon past its window is expired."""
    if coupon.state is CouponState.UNUSED and now >= coupon.valid_until:
        return replace(coupon, state=CouponState.EXPIRED)
    return coupon


def centre(conn: Connection, alliance_id: str, member_id: str, now: datetime) -> list[CentreItem]:
    repo = CouponRepository(conn)
    held = repo.held_counts(alliance_id, member_id)
    items = []
    for t in repo.list_templates(alliance_id):
        if not t.active or not t.ways & {ClaimWay.CENTRE, ClaimWay.POINTS}:
            continue
        if (t.claim_until is not None and now >= t.claim_until) or (
            t.use_until is not None and now >= t.use_until
        ):
            continue
        mine = held.get(t.template_id, 0)
        open_now = t.claim_from is None or now >= t.claim_from
        within = t.per_member_limit < 0 or mine < t.per_member_limit
        items.append(CentreItem(t, mine, open_now and within and t.remaining != 0))
    return items


def member_coupons(conn: Connection, alliance_id: str, member_id: str, now: datetime) -> list[Coupon]:
    found = CouponRepository(conn).of_member(alliance_id, member_id)
    return [as_of(c, now) for c in found if c.state is not CouponState.TRANSFERRED]


def coupon(conn: Connection, alliance_id: str, coupon_id: str) -> Coupon | None:
    return CouponRepository(conn).get(alliance_id, coupon_id)


def by_code(conn: Connection, alliance_id: str, code: str) -> Coupon | None:
    return CouponRepository(conn).by_code(alliance_id, code.strip().upper())


def offers(
    conn: Connection, alliance_id: str, *, member_id: str, place: Place, bill_fen: int, at: datetime
) -> list[Verdict]:
    """The member's unused coupons judged for this bill here, best first (exchange coupons left out)."""
    held = CouponRepository(conn).of_member(alliance_id, member_id, states=[CouponState.UNUSED])
    verdicts = [
        judge(c, bill_fen=bill_fen, place=place, at=at) for c in held if c.rules.kind.value != "exchange"
    ]
    return best_first(verdicts)


def templates(
    conn: Connection, alliance_id: str, *, merchant_id: str | None = None, alliance_only: bool = False
) -> list[CouponTemplate]:
    return CouponRepository(conn).list_templates(
        alliance_id, issuer_merchant_id=merchant_id, alliance_only=alliance_only
    )


def template(conn: Connection, alliance_id: str, template_id: str) -> CouponTemplate | None:
    return CouponRepository(conn).get_template(alliance_id, template_id)


def costs(conn: Connection, alliance_id: str) -> dict[str, int]:
    """Discounts given so far, per template (fen)."""
    return CouponRepository(conn).template_costs(alliance_id)


def counts(conn: Connection, alliance_id: str) -> dict[str, int]:
    """Issued coupons by state (unused, used, transferred, ...)."""
    return CouponRepository(conn).counts(alliance_id)


def coupons_of_purchase(conn: Connection, alliance_id: str, purchase_id: str) -> list[Coupon]:
    return CouponRepository(conn).of_purchase(alliance_id, purchase_id)
