"""Points mall stories on SQLite and PostgreSQL: held, picked up at the bakery and settled; cancelled;
shipped with tracking; timed out. The ledger stays clean throughout."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from tests.integration.rewards.mall_world import (
    ALLIANCE,
    BAKERY,
    BAKERY_CASHIER,
    BAKERY_OWNER,
    CINEMA,
    CINEMA_CASHIER,
    OPERATOR,
    START,
    SYSTEM,
    make_world,
    member,
)

from guildcard.ledger.domain import entries as chart
from guildcard.rewards.domain.mall import Delivery, ItemKind, OrderState
from guildcard.rewards.domain.mall_errors import (
    ItemNotOnSale,
    MemberLimitReached,
    NotTheSupplier,
    OrderNotOpen,
    SoldOut,
)
from guildcard.rewards.handlers.mall import (
    MALL_MARGIN,
    CancelMallOrder,
    ConfirmPickup,
    CreateMallItem,
    ExpireMallOrders,
    PlaceMallOrder,
    SaveAddress,
    ShipMallOrder,
)
from guildcard.rewards.queries.mall import MallQueries
from guildcard.rewards.storage.mall_tables import mall_orders
from guildcard.settlement.domain.direct import label
from guildcard.settlement.domain.statement import Component
from guildcard.settlement.domain.terms import SettlementTerms
from guildcard.settlement.memory import InMemorySales, InMemoryTerms
from guildcard.settlement.service import SettlementService

LILY = "mem_lily"


@pytest.fixture
def world(database):
    w = make_world(database)
    w.give_points(LILY, 5_000)
    return w


def cake(world, **changes):
    values = {
        "supplier_merchant_id": BAKERY, "kind": ItemKind.GOODS, "title": "草莓奶油蛋糕", "points": 1_200,
        "purchase_price_fen": 800, "delivery": Delivery.PICKUP, "stock": 10, "per_day_limit": 2,
        "category": "甜品",
    }  # fmt: skip
    values.update(changes)
    return world.run(OPERATOR, CreateMallItem(**values))


def test_an_order_held_picked_up_at_the_bakery_and_settled_at_the_purchase_price(world):
    item = cake(world)
    order = world.run(member(LILY), PlaceMallOrder(item_id=item.id, idempotency_key="o1"))
    assert order.state is OrderState.HELD
    assert len(order.pickup_code) == 8
    assert world.balance(LILY).available == 3_800
    assert world.balance(LILY).held == 1_200

    # The bakery's cashier looks the code up, sees the cake, confirms.
    preview = world.read(lambda c: MallQueries(c, ALLIANCE).pickup_preview(order.pickup_code, BAKERY))
    assert (preview.title, preview.points, preview.state) == ("草莓奶油蛋糕", 1_200, "held")
    # Another merchant's cashier cannot write it off.
    with pytest.raises(NotTheSupplier):
        world.run(CINEMA_CASHIER, ConfirmPickup(pickup_code=order.pickup_code, store_id="st_cinema_1"))
    done = world.run(BAKERY_CASHIER, ConfirmPickup(pickup_code=order.pickup_code, store_id="st_bakery_1"))
    assert done.state is OrderState.PICKED_UP
    assert done.store_id == "st_bakery_1"
    # Once only: a second confirmation is refused.
    with pytest.raises(OrderNotOpen):
        world.run(BAKERY_CASHIER, ConfirmPickup(pickup_code=order.pickup_code, store_id="st_bakery_1"))

    assert world.balance(LILY).held == 0
    assert world.balance(LILY).available == 3_800
    assert world.account(chart.PLATFORM_MALL) == 1_200
    # 1,200 points at 100 points = ¥1 are worth ¥12.00; the bakery is paid its ¥8.00; margin ¥4.00.
    assert world.account(chart.merchant_settlement(BAKERY)) == -800
    assert world.account(MALL_MARGIN) == -400
    assert world.violations() == []


def test_a_cancelled_order_gives_the_points_and_the_stock_back(world):
    item = cake(world, stock=1)
    order = world.run(member(LILY), PlaceMallOrder(item_id=item.id, idempotency_key="o1"))
    world.give_points("mem_other", 2_000)
    with pytest.raises(SoldOut):
        world.run(member("mem_other"), PlaceMallOrder(item_id=item.id, idempotency_key="o2"))
    cancelled = world.run(member(LILY), CancelMallOrder(order_id=order.id, idempotency_key="c1"))
    assert cancelled.state is OrderState.CANCELLED
    assert world.balance(LILY).available == 5_000
    assert world.balance(LILY).held == 0
    stock = world.read(lambda c: MallQueries(c, ALLIANCE).item(item.id).stock)
    assert stock == 1
    with pytest.raises(OrderNotOpen):
        world.run(BAKERY_CASHIER, ConfirmPickup(pickup_code=order.pickup_code, store_id="st_bakery_1"))
    assert world.violations() == []


def test_a_shipped_order_carries_its_tracking_number_and_an_encrypted_address(world):
    item = cake(world, title="联名保温杯", delivery=Delivery.SHIPPING, purchase_price_fen=1_500, points=2_000)
    address = world.run(
        member(LILY),
        SaveAddress(recipient="李丽", phone="13812341234", region="上海市静安区", line="南京西路1号 801室"),
    )
    assert address.label == "李* 138****1234 上海市静安区"
    order = world.run(member(LILY), PlaceMallOrder(item_id=item.id, address_id=address.address_id))
    stored = world.read(lambda c: c.execute(mall_orders.select()).one().address)
    assert "南京西路" not in stored
    assert "13812341234" not in stored
    shipped = world.run(
        BAKERY_OWNER, ShipMallOrder(order_id=order.id, carrier="顺丰", tracking_no="SF1234567890")
    )
    assert (shipped.state, shipped.carrier, shipped.tracking_no) == (
        OrderState.SHIPPED,
        "顺丰",
        "SF1234567890",
    )
    mine = world.read(lambda c: MallQueries(c, ALLIANCE).member_orders(LILY))
    assert [(o.state, o.tracking_no) for o in mine] == [(OrderState.SHIPPED, "SF1234567890")]
    address_text = world.read(
        lambda c: MallQueries(c, ALLIANCE).shipping_address(order.id, BAKERY, world.container.cipher)
    )
    assert "南京西路1号 801室" in address_text
    assert world.account(MALL_MARGIN) == -500
    assert world.violations() == []


def test_an_order_not_collected_in_time_voids_and_the_limits_count_only_live_orders(world):
    item = cake(world)
    world.run(member(LILY), PlaceMallOrder(item_id=item.id, idempotency_key="o1"))
    world.run(member(LILY), PlaceMallOrder(item_id=item.id, idempotency_key="o2"))
    with pytest.raises(MemberLimitReached):
        world.run(member(LILY), PlaceMallOrder(item_id=item.id, idempotency_key="o3"))
    assert world.balance(LILY).held == 2_400
    world.clock.advance(timedelta(days=8))
    expired = world.run(SYSTEM, ExpireMallOrders(as_of=world.clock.now()))
    assert len(expired.order_ids) == 2
    assert world.balance(LILY).available == 5_000
    assert world.read(lambda c: MallQueries(c, ALLIANCE).item(item.id).stock) == 10
    world.run(member(LILY), PlaceMallOrder(item_id=item.id, idempotency_key="o4"))  # a new day, a new limit
    assert world.violations() == []


def test_a_replayed_order_holds_once_and_an_item_off_sale_is_refused(world):
    item = cake(world)
    first = world.run(member(LILY), PlaceMallOrder(item_id=item.id, idempotency_key="tap"))
    again = world.container.bus.execute(member(LILY), PlaceMallOrder(item_id=item.id, idempotency_key="tap"))
    assert again.replayed
    assert again.value.id == first.id
    assert world.balance(LILY).held == 1_200
    later = cake(world, sale_starts_at=world.clock.now() + timedelta(days=1))
    with pytest.raises(ItemNotOnSale):
        world.run(member(LILY), PlaceMallOrder(item_id=later.id))


def test_a_virtual_voucher_is_delivered_and_settled_at_once(world):
    item = cake(world, kind=ItemKind.VOUCHER, title="观影券", delivery=Delivery.VIRTUAL, stock=None,
                supplier_merchant_id="mer_cinema", purchase_price_fen=1_000)  # fmt: skip
    order = world.run(member(LILY), PlaceMallOrder(item_id=item.id))
    assert order.state is OrderState.DELIVERED
    assert len(order.voucher_code) == 12
    assert world.account(chart.merchant_settlement("mer_cinema")) == -1_000
    assert world.account(MALL_MARGIN) == -200
    assert world.violations() == []


def test_the_bakery_statement_shows_the_mall_item_it_supplied_as_a_direct_line(world):
    item = cake(world)
    order = world.run(member(LILY), PlaceMallOrder(item_id=item.id))
    world.run(BAKERY_CASHIER, ConfirmPickup(pickup_code=order.pickup_code, store_id="st_bakery_1"))
    contracts = InMemoryTerms(alliance_id=ALLIANCE)
    for merchant_id, name in ((BAKERY, "Bakery"), (CINEMA, "Cinema")):
        contracts.add(
            merchant_id, name, SettlementTerms("t-1", Decimal(1), Decimal("0.8"), Decimal(0), 0, 0, START)
        )
    settlement = SettlementService(
        world.container.database, clock=world.clock, terms=contracts,
        sales=InMemorySales(alliance_id=ALLIANCE), keys=world.container.ledger_keys,
    )  # fmt: skip
    world.clock.set(datetime(2027, 1, 1, 2, 0, tzinfo=UTC))
    statements = {s.merchant_id: s for s in settlement.statements(OPERATOR, "2026-12")}
    direct = [ln for ln in statements[BAKERY].lines if ln.component is Component.DIRECT]
    assert [(ln.kind, ln.quantity, ln.amount) for ln in direct] == [("mall_supply", 1, -800)]
    assert label("mall_supply") == "积分商城供货"
    assert world.violations() == []
