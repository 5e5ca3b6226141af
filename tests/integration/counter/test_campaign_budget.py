"""A member day with a budget: the counter gives its extra points until the budget is used up,
never past it, even with a hundred tills committing at once (PostgreSQL)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from tests.integration.counter.conftest import ALLIANCE, HOTPOT_CASHIER, make_counter

from guildcard.counter.commands import MemberIdentity, PurchaseInput
from guildcard.counter.ports import MemberRef
from guildcard.ledger import NegativePolicy
from guildcard.loyalty import campaign_budgets


def budgeted_campaign(counter, budget_points: int):
    return counter.loyalty.create_campaign(
        alliance_id=ALLIANCE, name="会员日", multiplier=Decimal(2), budget_points=budget_points,
        actor_id="op", idempotency_key=f"cmp-{budget_points}",
    ).value  # fmt: skip


def used(counter, campaign):
    with counter.database.read() as conn:
        return campaign_budgets.usage(conn, ALLIANCE, [campaign])[campaign.campaign_id]


def test_the_budget_doubles_until_it_runs_out_and_the_preview_says_so(database):
    counter = make_counter(database, negative=NegativePolicy())
    campaign = budgeted_campaign(counter, 150)
    first = counter.buy(HOTPOT_CASHIER, "HP-1", 10000).receipt  # ¥95 after the member discount
    assert first.points_earned == 190
    second = counter.buy(HOTPOT_CASHIER, "HP-2", 10000).receipt
    assert second.points_earned == 95 + 55
    assert second.earn_lines[-1].label_zh == "会员日 × 2，活动预算仅剩 55 积分 = +55"
    preview = counter.service.preview(
        HOTPOT_CASHIER,
        PurchaseInput("st_hotpot_1", "HP-3", 10000, MemberIdentity(member_code=counter.code())),
    )
    assert preview.points_earned == 95
    assert [line.label_zh for line in preview.earn_lines][-1] == "会员日 活动预算已用完：不再加倍"
    third = counter.buy(HOTPOT_CASHIER, "HP-3", 10000).receipt
    assert third.points_earned == 95
    use = used(counter, campaign)
    assert (use.used_points, use.left_points, use.purchases) == (150, 0, 2)
    assert counter.balance().available == 190 + 150 + 95
    assert counter.ledger.verify(ALLIANCE) == {ALLIANCE: []}


def test_a_hundred_purchases_at_once_never_give_more_than_a_budget_of_1000_points(pg_database):
    counter = make_counter(pg_database, negative=NegativePolicy())
    campaign = budgeted_campaign(counter, 1_000)
    members = [f"mem_{i:03d}" for i in range(100)]
    for member_id in members:
        counter.ports.members.add(ALLIANCE, MemberRef(member_id, member_id))
    requests = [
        PurchaseInput("st_hotpot_1", f"HP-{i}", 10000, MemberIdentity(member_code=counter.code(member_id)))
        for i, member_id in enumerate(members)
    ]
    start = threading.Barrier(len(requests))

    def till(request):
        start.wait()
        return counter.service.commit(HOTPOT_CASHIER, request).receipt

    with ThreadPoolExecutor(len(requests)) as pool:
        receipts = list(pool.map(till, requests))
    extra = sum(r.points_earned - 95 for r in receipts)
    print(f"\n100 purchases at once: {extra} extra points given from a budget of 1000")
    assert extra == 1_000  # all of the budget, never more
    assert sorted({r.points_earned for r in receipts}) == [95, 95 + 50, 190]
    assert used(counter, campaign).used_points == 1_000
    assert counter.ledger.verify(ALLIANCE) == {ALLIANCE: []}
