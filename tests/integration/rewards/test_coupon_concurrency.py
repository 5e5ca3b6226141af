"""PostgreSQL under contention: claims never exceed the total, a coupon is written off once."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from tests.integration.rewards.conftest import ALLIANCE, HOTPOT, build_world, member, staff

from guildcard.rewards.domain.coupons import CouponKind, CouponState

OWNER = staff(HOTPOT, "st_hotpot_1", "owner")


def at_once(calls: list[Callable[[], Any]]) -> Counter[str]:
    """Run every call at the same moment on its own thread; count what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def run(call: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            call()
            result = "ok"
        except Exception as exc:
            result = getattr(exc, "code", type(exc).__name__)
        with lock:
            outcomes[result] += 1

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_200_members_claiming_the_last_10_get_exactly_10(pg_database):
    world = build_world(pg_database)
    template = world.coupons.create_template(
        OWNER, idempotency_key="t", name="最后十张", kind=CouponKind.VOUCHER, issuer_merchant_id=HOTPOT,
        value_fen=1_000, total=10, valid_days=7,
    )  # fmt: skip
    claims = [
        (
            lambda i=i: world.coupons.claim(
                member(f"mem_{i}"), template_id=template.template_id, idempotency_key=f"k{i}"
            )
        )
        for i in range(200)
    ]
    outcomes = at_once(claims)
    assert outcomes == Counter({"ok": 10, "rewards.coupon_sold_out": 190})
    assert world.coupons.counts(alliance_id=ALLIANCE) == {"unused": 10}
    assert world.coupons.template(alliance_id=ALLIANCE, template_id=template.template_id).taken == 10


def test_one_member_tapping_claim_twenty_times_at_once_gets_one(pg_database):
    world = build_world(pg_database)
    template = world.coupons.create_template(
        OWNER, idempotency_key="t", name="每人一张", kind=CouponKind.VOUCHER, issuer_merchant_id=HOTPOT,
        value_fen=1_000, total=100, per_member_limit=1, valid_days=7,
    )  # fmt: skip
    taps = [
        (
            lambda i=i: world.coupons.claim(
                member("mem_lily"), template_id=template.template_id, idempotency_key=f"tap{i}"
            )
        )
        for i in range(20)
    ]
    assert at_once(taps) == Counter({"ok": 1, "rewards.coupon_limit_reached": 19})


def test_an_exchange_coupon_scanned_at_two_tills_at_once_is_written_off_once(pg_database):
    world = build_world(pg_database)
    template = world.coupons.create_template(
        OWNER, idempotency_key="t", name="兑换券", kind=CouponKind.EXCHANGE, issuer_merchant_id=HOTPOT,
        item="甜品", valid_days=7,
    )  # fmt: skip
    coupon = world.coupons.claim(member("mem_lily"), template_id=template.template_id, idempotency_key="c")
    tills = [staff(HOTPOT, "st_hotpot_1"), staff(HOTPOT, "st_hotpot_2")]
    scans = [
        (lambda till=till, n=n: world.coupons.redeem_exchange(
            till, store_id=next(iter(till.store_ids)), code=coupon.code, idempotency_key=f"scan{n}"))
        for n, till in enumerate(tills * 4)
    ]  # fmt: skip
    assert at_once(scans) == Counter({"ok": 1, "rewards.coupon_already_used": 7})
    assert world.coupons.coupon(alliance_id=ALLIANCE, coupon_id=coupon.coupon_id).state is CouponState.USED


def test_a_budget_of_1000_points_hit_by_100_purchases_at_once_gives_at_most_1000(pg_database):
    from datetime import timedelta  # noqa: PLC0415

    from tests.integration.rewards.conftest import ADMIN, NOW  # noqa: PLC0415

    from guildcard.rewards.domain.campaigns import CampaignKind  # noqa: PLC0415

    world = build_world(pg_database)
    campaign = world.campaigns.create(
        ADMIN, idempotency_key="b", name="满100送30", kind=CampaignKind.SPEND_THRESHOLD, points=30,
        threshold_fen=10_000, budget_points=1_000, ends_at=NOW + timedelta(days=1),
    )  # fmt: skip
    purchases = [
        (lambda i=i: world.campaigns.count_purchase(
            ALLIANCE, purchase_id=f"pur_{i}", member_id=f"mem_{i}", merchant_id=HOTPOT,
            store_id="st_hotpot_1", payable_fen=12_000, occurred_at=NOW))
        for i in range(100)
    ]  # fmt: skip
    assert at_once(purchases) == Counter({"ok": 100})
    after = world.campaigns.campaign(alliance_id=ALLIANCE, campaign_id=campaign.campaign_id)
    assert after.given_points == 990  # 33 rewards of 30: a 34th would overspend
    given = sum(world.ledger.queries(ALLIANCE).balance(f"mem_{i}").available for i in range(100))
    assert given == 990
