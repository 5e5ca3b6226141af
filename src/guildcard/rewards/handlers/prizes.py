"""Coupons given as prizes: a lottery win or a coupon sold in the points mall issues a real coupon.

Both go through the coupons' own ``grant_coupon`` (the template's total, the member's limit and
the audience hold) with the ``gift`` way, inside the command that wins or buys the prize.
"""

from __future__ import annotations

from guildcard.pipeline import Work
from guildcard.rewards.domain.coupons import (
    ClaimWay,
    Coupon,
    CouponNotClaimable,
    CouponTemplate,
    CouponTemplateNotFound,
)
from guildcard.rewards.handlers.coupons import coupon_deps, grant_coupon
from guildcard.rewards.storage.coupons import CouponRepository


def prize_template(work: Work, template_id: str, *, field: str = "template_id") -> CouponTemplate:
    """A template that may be given away: it exists, is active and allows the ``gift`` way."""
    found = CouponRepository(work.connection).get_template(work.alliance_id, template_id)
    if found is None:
        raise CouponTemplateNotFound(template_id=template_id, field=field)
    if not found.active or ClaimWay.GIFT not in found.ways:
        raise CouponNotClaimable(
            "A coupon given as a prize must be active and allow the gift way.",
            template_id=template_id, way=ClaimWay.GIFT.value,
        )  # fmt: skip
    return found


def issue_prize_coupon(work: Work, template_id: str, member_id: str, *, claim_key: str) -> Coupon:
    """Issue one coupon of ``template_id`` to the member now (once per ``claim_key``)."""
    template = prize_template(work, template_id)
    facts = coupon_deps(work).ports.members.facts(work.connection, work.alliance_id, member_id)
    return grant_coupon(work, template, facts, ClaimWay.GIFT, claim_key=claim_key)
