"""The mall at the counter and in the consoles: a cashier writes a pickup off, the owner ships, the
operator sees the margin, check-in rules and lottery commitments (SQLite and PostgreSQL)."""

from __future__ import annotations

import re

import pytest
from tests.integration.alliance.world import PASSWORD, Builder, auth, make_client
from tests.integration.test_coalition_story import sign_up
from tests.integration.web.test_counter_pages import csrf, staff_login

from guildcard.kernel.actors import Actor, ActorKind
from guildcard.ledger import chart
from guildcard.rewards.domain.mall import Delivery, ItemKind
from guildcard.rewards.handlers.mall import CreateMallItem, PlaceMallOrder, SaveAddress
from guildcard.rewards.queries.lottery import LotteryQueries
from guildcard.rewards.queries.mall import MallQueries

pytestmark = pytest.mark.slow


@pytest.fixture
def world(database):
    client, container = make_client(database)
    with client:
        world = Builder(client, container).world("shop")
        token = sign_up(client, world.id, "13912345678")
        me = client.get("/api/v1/me", headers=auth(token)).json()
        world.member_id = me.get("member_id") or me["id"]
        world.client, world.container = client, container
        container.ledger().award(world.id, member_id=world.member_id, issuer=chart.PLATFORM_GRANTS,
                                 amount=5_000, idempotency_key="gift")  # fmt: skip
        yield world


def place(world, merchant, delivery: Delivery, title: str):
    admin = Actor(ActorKind.OPERATOR, "op_admin", world.id, role="admin")
    bus = world.container.bus
    item = bus.execute(admin, CreateMallItem(
        supplier_merchant_id=merchant.id, kind=ItemKind.GOODS, title=title, points=1_000,
        purchase_price_fen=600, delivery=delivery, stock=5,
    )).value  # fmt: skip
    member = Actor(ActorKind.MEMBER, world.member_id, world.id)
    address = None
    if delivery is Delivery.SHIPPING:
        address = bus.execute(member, SaveAddress(recipient="李丽", phone="13812341234", region="上海市",
                                                  line="南京西路1号")).value.address_id  # fmt: skip
    return bus.execute(member, PlaceMallOrder(item_id=item.id, address_id=address)).value


def login_of(world, merchant, role: str) -> str:
    staff = world.client.get(f"/api/v1/merchants/{merchant.id}/staff", headers=auth(merchant.owner)).json()
    return next(s["login"] for s in staff if s["role"] == role)


def test_a_cashier_looks_up_a_pickup_code_and_writes_it_off_once(world):
    client, bakery = world.client, world.merchants[0]
    order = place(world, bakery, Delivery.PICKUP, "草莓蛋糕")
    staff_login(client, login_of(world, bakery, "cashier"))
    page = client.get(f"/counter/pickup?code={order.pickup_code}&store={bakery.store_a}")
    assert "草莓蛋糕" in page.text
    assert "确认提货" in page.text
    done = client.post("/counter/pickup", data={"csrf_token": csrf(page.text), "store_id": bakery.store_a,
                                                "code": order.pickup_code})  # fmt: skip
    assert "已提货：订单已核销。" in done.text
    again = client.get(f"/counter/pickup?code={order.pickup_code}&store={bakery.store_a}")
    assert "已提货" in again.text
    assert "确认提货" not in again.text


def test_the_owner_ships_with_a_tracking_number_and_the_operator_sees_the_margin(world):
    client, shop = world.client, world.merchants[0]
    order = place(world, shop, Delivery.SHIPPING, "联名马克杯")
    staff_login(client, login_of(world, shop, "owner"))
    page = client.get("/merchant/mall")
    assert "南京西路1号" in page.text  # the supplier reads the address it ships to
    token = csrf(page.text)
    shipped = client.post(f"/merchant/mall/orders/{order.id}/ship",
                          data={"csrf_token": token, "carrier": "顺丰", "tracking_no": "SF123"})  # fmt: skip
    assert "SF123" in shipped.text
    assert "已发货" in shipped.text
    client.post("/staff/logout", data={"csrf_token": csrf(shipped.text)})
    signed = client.post("/ops/login", data={"alliance": "shop", "login": "admin-shop", "password": PASSWORD},
                         follow_redirects=False)  # fmt: skip
    assert signed.status_code == 303, signed.text
    console = client.get("/ops/rewards").text
    assert "联名马克杯" in console
    assert re.search(r"data-margin>¥4\.00<", console)  # 1,000 points = ¥10.00, the shop is paid ¥6.00
    assert "签到规则" in console


PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002"
    "000154a24f5d0000000049454e44ae426082"
)


def test_the_owner_uploads_an_item_picture_that_the_app_serves(world):
    client, shop = world.client, world.merchants[0]
    order = place(world, shop, Delivery.PICKUP, "手作曲奇")
    staff_login(client, login_of(world, shop, "owner"))
    page = client.get("/merchant/mall")
    uploaded = client.post(
        f"/merchant/mall/items/{order.item_id}/picture",
        data={"csrf_token": csrf(page.text)}, files={"picture": ("cookie.png", PNG, "image/png")},
    )  # fmt: skip
    assert uploaded.status_code == 200, uploaded.text
    with world.container.database.read() as conn:
        queries = MallQueries(conn, world.id)
        (picture_id,) = queries.item(order.item_id).picture_ids
        assert queries.picture(picture_id) == ("image/png", PNG)


def test_a_mall_item_form_with_an_error_keeps_what_was_typed_and_marks_the_field(world):
    client, shop = world.client, world.merchants[0]
    staff_login(client, login_of(world, shop, "owner"))
    page = client.get("/merchant/mall")
    form = {"csrf_token": csrf(page.text), "title": "手作曲奇礼盒", "points": "12.5", "price": "6",
            "stock": "20", "delivery": "pickup", "category": "食品"}  # fmt: skip
    bad = client.post("/merchant/mall/items", data=form)
    assert bad.status_code == 422
    assert 'value="手作曲奇礼盒"' in bad.text
    assert re.search(r'<input[^>]*name="stock"[^>]*value="20"', bad.text)
    assert re.search(r'<input[^>]*name="points"[^>]*aria-invalid="true"', bad.text)
    assert "积分" in bad.text  # the message, in the page's language


def test_the_operator_publishes_a_lottery_that_purchases_earn_draws_for(world):
    client = world.client
    signed = client.post("/ops/login", data={"alliance": "shop", "login": "admin-shop", "password": PASSWORD},
                         follow_redirects=False)  # fmt: skip
    assert signed.status_code == 303, signed.text
    console = client.get("/ops/rewards").text
    assert "每笔消费赠送抽奖次数" in console
    form = {
        "csrf_token": csrf(console), "idempotency_key": "lot-1", "name": "消费抽奖",
        "starts_at": "2030-01-01T10:00", "ends_at": "2030-01-31T22:00", "cost_points": "20",
        "free_per_day": "0", "per_day_limit": "3", "draws_per_purchase": "2", "purchase_min_yuan": "50",
        "prizes": "10 积分, points, 1, , 10\n谢谢参与, none, 1",
    }  # fmt: skip
    published = client.post("/ops/rewards/lottery", data=form)
    assert published.status_code == 200, published.text
    assert "每笔消费满 ¥50.00 赠送 2 次抽奖" in published.text
    with world.container.database.read() as conn:
        [campaign] = LotteryQueries(conn, world.id).campaigns()
    assert (campaign.draws_per_purchase, campaign.purchase_min_fen) == (2, 5_000)
