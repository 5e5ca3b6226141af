"""The mall never oversells on PostgreSQL: 200 simultaneous orders for the last 5 items give exactly 5."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from tests.integration.rewards.mall_world import ALLIANCE, BAKERY, OPERATOR, make_world, member

from guildcard.rewards.domain.mall import Delivery, ItemKind
from guildcard.rewards.domain.mall_errors import SoldOut
from guildcard.rewards.handlers.mall import CreateMallItem, PlaceMallOrder
from guildcard.rewards.queries.mall import MallQueries

BUYERS = 200


def test_two_hundred_orders_for_the_last_five_cakes_give_exactly_five(pg_database):
    world = make_world(pg_database)
    item = world.run(
        OPERATOR,
        CreateMallItem(
            supplier_merchant_id=BAKERY, kind=ItemKind.GOODS, title="圣诞限定蛋糕", points=500,
            purchase_price_fen=300, delivery=Delivery.PICKUP, stock=5,
        ),
    )  # fmt: skip
    buyers = [f"mem_{n:03d}" for n in range(BUYERS)]
    for buyer in buyers:
        world.give_points(buyer, 600)
    barrier = threading.Barrier(16)

    def order(buyer: str) -> str:
        if int(buyer[-3:]) < 16:
            barrier.wait()
        try:
            world.run(member(buyer), PlaceMallOrder(item_id=item.id, idempotency_key=f"order-{buyer}"))
        except SoldOut:
            return "sold out"
        return "ordered"

    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(order, buyers))

    assert outcomes.count("ordered") == 5
    assert outcomes.count("sold out") == BUYERS - 5
    stock = world.read(lambda c: MallQueries(c, ALLIANCE).item(item.id).stock)
    assert stock == 0
    held = [world.balance(b).held for b in buyers]
    assert sorted(held, reverse=True)[:6] == [500] * 5 + [0]
    assert world.violations() == []
