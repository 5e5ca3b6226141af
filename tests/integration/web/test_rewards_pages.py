"""The member's mall, check-in and lottery pages as plain HTML forms, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from tests.integration.alliance.world import Builder, make_client
from tests.integration.web.test_member_pages import csrf, join

from guildcard.kernel.actors import Actor, ActorKind
from guildcard.ledger import LedgerQueries, chart
from guildcard.rewards import mall_jobs
from guildcard.rewards.domain.coupons import ClaimWay, CouponKind
from guildcard.rewards.domain.lottery import Prize, PrizeKind
from guildcard.rewards.domain.mall import Delivery, ItemKind
from guildcard.rewards.handlers.coupons import CreateCouponTemplate
from guildcard.rewards.handlers.lottery import CreateLotteryCampaign
from guildcard.rewards.handlers.mall import CreateMallItem


@pytest.fixture
def site(database):
    client, container = make_client(database)
    with client:
        builder = Builder(client, container)
        alliance_id, _admin = builder.alliance("mall")
        client.container, client.alliance_id = container, alliance_id  # type: ignore[attr-defined]
        join(client)
        yield client


def member_id(site) -> str:
    html = site.get("/m/settings/export").json()
    return html["member"]["member_id"] if "member" in html else html["member_id"]


def operator(site) -> Actor:
    return Actor(ActorKind.OPERATOR, "op_test", site.alliance_id, role="admin")


def test_a_member_redeems_a_mug_with_an_address_and_cancels_it(site):
    container = site.container
    me = member_id(site)
    container.ledger().award(site.alliance_id, member_id=me, issuer=chart.PLATFORM_GRANTS, amount=2_000,
                             idempotency_key="gift")  # fmt: skip
    item = container.bus.execute(operator(site), CreateMallItem(
        supplier_merchant_id=None, kind=ItemKind.GOODS, title="联名马克杯", points=900,
        purchase_price_fen=500, delivery=Delivery.SHIPPING, stock=3, category="家居",
    )).value  # fmt: skip
    page = site.get("/m/mall").text
    assert "联名马克杯" in page
    assert "剩余 3 件" in page
    assert "家居" in site.get("/m/mall?category=家居").text
    assert "联名马克杯" not in site.get("/m/mall?q=蛋糕").text
    saved = site.post("/m/mall/addresses", data={
        "recipient": "李丽", "phone": "13812341234", "region": "上海市静安区", "line": "南京西路1号",
        "back": f"/m/mall/items/{item.id}", "csrf_token": csrf(site),
    }, follow_redirects=True)  # fmt: skip
    assert "李* 138****1234 上海市静安区" in saved.text
    key = re.search(r'name="form_key" value="([^"]+)"', saved.text).group(1)
    address = re.search(r'<option value="([^"]+)"', saved.text).group(1)
    ordered = site.post(f"/m/mall/items/{item.id}/order",
                        data={"address_id": address, "form_key": key, "csrf_token": csrf(site)})  # fmt: skip
    assert "待提货/待发货" in ordered.text
    assert "联名马克杯" in site.get("/m/mall/orders").text
    order_url = str(ordered.url)
    cancelled = site.post(f"{order_url}/cancel", data={"csrf_token": csrf(site)})
    assert "已取消" in cancelled.text
    with container.database.read() as conn:
        assert LedgerQueries(conn, alliance_id=site.alliance_id).balance(me).available == 2_000


def test_check_in_from_the_calendar_counts_once(site):
    first = site.post("/m/checkin", data={"csrf_token": csrf(site)})
    assert "签到成功：+5 积分" in first.text
    assert "今日已签到" in first.text
    again = site.post("/m/checkin", data={"csrf_token": csrf(site)})
    assert "今日已签到" in again.text
    assert "data-streak>1<" in again.text


def test_the_lottery_grid_draws_and_the_public_page_verifies_after_the_end(site):
    container = site.container
    now = container.clock.now()
    campaign = container.bus.execute(operator(site), CreateLotteryCampaign(
        name="周年庆抽奖", starts_at=now + timedelta(minutes=1), ends_at=now + timedelta(days=1),
        prizes=(Prize("p1", "50 积分", PrizeKind.POINTS, weight=1, stock=5, points=50),
                Prize("p0", "谢谢参与", PrizeKind.NONE, weight=1)), free_per_day=2,
    )).value  # fmt: skip
    container.clock.advance(timedelta(minutes=2))
    page = site.get("/m/lottery", follow_redirects=True).text
    assert page.count('class="r-cell') == 8
    assert campaign.commitment in page
    key = re.search(r'name="form_key" value="([^"]+)"', page).group(1)
    drawn = site.post(f"/m/lottery/{campaign.id}/draw", data={"form_key": key, "csrf_token": csrf(site)}).text
    assert "恭喜抽中：50 积分" in drawn or "谢谢参与，下次好运！" in drawn
    public = site.get(f"/lottery/{site.alliance_id}/{campaign.id}").text
    assert "活动结束后公布" in public
    container.clock.advance(timedelta(days=1))
    mall_jobs.run_due(container.bus, site.alliance_id, container.clock.now())
    public = site.get(f"/lottery/{site.alliance_id}/{campaign.id}").text
    assert "已核验 1 次抽奖：每一次都成立。" in public
    assert "data-seed" in public


def test_my_prizes_link_to_the_coupon_and_the_mall_order_they_became(site):
    container = site.container
    now = container.clock.now()
    template = container.bus.execute(operator(site), CreateCouponTemplate(
        name="电影代金券", kind=CouponKind.VOUCHER, value_fen=3_000, valid_days=30,
        ways=frozenset({ClaimWay.GIFT}), per_member_limit=5,
    )).value.template_id  # fmt: skip
    cake = container.bus.execute(operator(site), CreateMallItem(
        supplier_merchant_id=None, kind=ItemKind.VOUCHER, title="奶茶兑换码", points=1_200,
        purchase_price_fen=800, delivery=Delivery.VIRTUAL, stock=5,
    )).value  # fmt: skip
    campaign = container.bus.execute(operator(site), CreateLotteryCampaign(
        name="周年庆抽奖", starts_at=now + timedelta(minutes=1), ends_at=now + timedelta(days=1),
        prizes=(Prize("p1", "电影代金券", PrizeKind.COUPON, weight=1, stock=5, ref=template),
                Prize("p2", "奶茶兑换码", PrizeKind.MALL_ITEM, weight=1, stock=5, ref=cake.id)),
        free_per_day=6,
    )).value  # fmt: skip
    container.clock.advance(timedelta(minutes=2))
    page = site.get(f"/m/lottery/{campaign.id}").text
    for _ in range(4):  # every draw wins one of the two
        key = re.search(r'name="form_key" value="([^"]+)"', page).group(1)
        page = site.post(
            f"/m/lottery/{campaign.id}/draw", data={"form_key": key, "csrf_token": csrf(site)}
        ).text
    links = re.findall(r'<a href="([^"]+)" data-prize-link>查看奖品</a>', page)
    assert len(links) == 4
    for link in links:
        prize = site.get(link)
        assert prize.status_code == 200
        if link.startswith("/m/coupons/"):
            assert "电影代金券" in prize.text
        else:
            assert link.startswith("/m/mall/orders/")
            assert "奶茶兑换码" in prize.text
