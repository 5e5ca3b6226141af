"""The demo's points mall, check-ins and a finished lottery, through the command bus.

Runs after the purchases, on the story's last week: members check in each morning, order cake at
the bakery (picked up at its counter), a cinema voucher (delivered at once) and a mug (shipped with
a tracking number); one order is cancelled; a week-long lottery is published, drawn, ended and its
seed revealed, so every draw can be verified (``guildcard lottery verify``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import timedelta

from guildcard.bootstrap import Container
from guildcard.demo.plan import at_local
from guildcard.demo.setup import SeededAlliance, SeededMerchant
from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.clock import FixedClock, business_date
from guildcard.kernel.errors import GuildCardError
from guildcard.ledger.queries import LedgerQueries
from guildcard.rewards import mall_jobs
from guildcard.rewards.domain.coupons import ClaimWay, CouponKind
from guildcard.rewards.domain.lottery import Prize, PrizeKind
from guildcard.rewards.domain.mall import Delivery, ItemKind, MallItem, OrderState
from guildcard.rewards.handlers.checkin import CheckIn
from guildcard.rewards.handlers.coupons import CreateCouponTemplate
from guildcard.rewards.handlers.lottery import CreateLotteryCampaign, DrawLottery, DrawResult
from guildcard.rewards.handlers.mall import (
    CancelMallOrder,
    ConfirmPickup,
    CreateMallItem,
    PlaceMallOrder,
    SaveAddress,
    ShipMallOrder,
)

DAYS = 7
CHECKERS = 24
PRIZE_COUPON = "prize-coupon"  # replaced by the 观影券 template made for the lottery
PRIZES = (
    Prize("p1", "188 积分", PrizeKind.POINTS, weight=5, stock=10, points=188),
    Prize("p2", "20 积分", PrizeKind.POINTS, weight=30, points=20),
    Prize("p3", "观影券", PrizeKind.COUPON, weight=3, stock=5, ref=PRIZE_COUPON),
    Prize("p4", "5 积分", PrizeKind.POINTS, weight=40, points=5),
    Prize("p0", "谢谢参与", PrizeKind.NONE, weight=22),
)


@dataclass(frozen=True)
class RewardsTally:
    mall_orders: int
    mall_pickups: int
    checkins: int
    lottery_draws: int
    lottery_campaign: str
    lottery_prize_coupons: int  # coupons the draws won (the seed is secret, so this one varies)

    def as_counts(self) -> dict[str, int | str]:
        return {
            "mall_orders": self.mall_orders, "mall_pickups": self.mall_pickups, "checkins": self.checkins,
            "lottery_draws": self.lottery_draws, "lottery_campaign": self.lottery_campaign,
            "lottery_prize_coupons": self.lottery_prize_coupons,
        }  # fmt: skip


def _prizes(container: Container, alliance: SeededAlliance) -> tuple[Prize, ...]:
    """The prize table, its coupon prize a real template that may be given away."""
    voucher = container.bus.execute(alliance.admin, CreateCouponTemplate(
        name="观影券", kind=CouponKind.VOUCHER, value_fen=3_000, valid_days=30, per_member_limit=2,
        ways=frozenset({ClaimWay.GIFT}), idempotency_key="demo-lottery-coupon",
    )).value  # fmt: skip
    return tuple(replace(p, ref=voucher.template_id) if p.ref == PRIZE_COUPON else p for p in PRIZES)


def _merchant(alliance: SeededAlliance, slug: str) -> SeededMerchant:
    return next(m for m in alliance.merchants if m.spec.slug == slug)


def seed_rewards(
    container: Container, clock: FixedClock, alliance: SeededAlliance, member_ids: list[str], *, seed: int
) -> RewardsTally:
    rng = random.Random(seed)  # noqa: S311 - demo data, reproducible on purpose
    bus, aid = container.bus, alliance.id
    end = clock.now()
    last_day = business_date(end)
    members = [Actor(ActorKind.MEMBER, m, aid) for m in member_ids]
    bakery, cinema, home = (_merchant(alliance, s) for s in ("bakery", "cinema", "home"))

    # The week's lottery is published before its first morning.
    first = last_day - timedelta(days=DAYS - 1)
    clock.set(at_local(first, 7))
    prizes = _prizes(container, alliance)
    campaign = bus.execute(alliance.admin, CreateLotteryCampaign(
        name="静安寺商圈周年庆抽奖", starts_at=at_local(first, 8), ends_at=at_local(last_day, 12),
        prizes=prizes, cost_points=20, free_per_day=1, per_day_limit=3, budget_points=20_000,
        idempotency_key="demo-lottery",
    )).value  # fmt: skip
    checkins = draws = prize_coupons = 0
    checkers = rng.sample(members, min(CHECKERS, len(members)))
    for offset in range(DAYS):
        day = first + timedelta(days=offset)
        for n, actor in enumerate(checkers):
            if rng.random() < 0.85 or offset == 0:
                clock.set(at_local(day, 8, n % 60))
                bus.execute(actor, CheckIn())
                checkins += 1
            if rng.random() < 0.5:
                clock.set(at_local(day, 9, n % 60))  # before the last day's noon end
                for _ in range(rng.choice((1, 1, 2))):
                    try:
                        drawn = bus.execute(actor, DrawLottery(campaign_id=campaign.id)).value
                        draws, prize_coupons = draws + 1, prize_coupons + _won_coupon(drawn)
                    except GuildCardError:
                        break  # out of points or of the day's draws
    clock.set(max(end, at_local(last_day, 12, 5)))
    mall_jobs.run_due(bus, aid, clock.now())  # the lottery has ended: its seed is revealed

    items = _catalogue(container, alliance, bakery, cinema, home)
    with container.database.read() as conn:
        ledger = LedgerQueries(conn, alliance_id=aid)
        balances = {m: ledger.balance(m).available for m in member_ids}
    rich = sorted((m for m in member_ids if balances[m] >= 800), key=lambda m: -balances[m])
    orders = pickups = 0
    for n, member_id in enumerate(rich[:18]):
        actor = Actor(ActorKind.MEMBER, member_id, aid)
        affordable = [i for i in items if i.points <= balances[member_id]]
        item = affordable[n % len(affordable)]
        address = None
        if item.delivery is Delivery.SHIPPING:
            address = bus.execute(actor, SaveAddress(
                recipient="会员", phone=f"1390000{n:04d}", region="上海市静安区", line=f"南京西路{100 + n}号",
            )).value.address_id  # fmt: skip
        try:
            order = bus.execute(actor, PlaceMallOrder(item_id=item.id, address_id=address,
                                                      idempotency_key=f"demo-mall-{n}")).value  # fmt: skip
        except GuildCardError:
            continue
        orders += 1
        if order.delivery is Delivery.PICKUP and n % 4 != 3:
            bus.execute(bakery.cashiers[0], ConfirmPickup(pickup_code=order.pickup_code or "",
                                                     store_id=bakery.store_ids[0]))  # fmt: skip
            pickups += 1
        elif order.delivery is Delivery.PICKUP and n == 3:
            bus.execute(actor, CancelMallOrder(order_id=order.id))
        elif order.delivery is Delivery.SHIPPING and order.state is OrderState.HELD and n % 2 == 0:
            bus.execute(home.owner, ShipMallOrder(order_id=order.id, carrier="顺丰速运",
                                                  tracking_no=f"SF{1_000_000_000 + n}"))  # fmt: skip
    return RewardsTally(orders, pickups, checkins, draws, campaign.id, prize_coupons)


def _won_coupon(drawn: DrawResult) -> int:
    """1 when the draw's prize became a coupon."""
    return int(drawn.prize_kind is PrizeKind.COUPON and drawn.issued is not None)


def _catalogue(
    container: Container,
    alliance: SeededAlliance,
    bakery: SeededMerchant,
    cinema: SeededMerchant,
    home: SeededMerchant,
) -> list[MallItem]:
    bus = container.bus
    specs = [
        (bakery, "草莓奶油蛋糕（6 寸）", ItemKind.GOODS, "甜品", 1_200, 0, 800, Delivery.PICKUP, 40),
        (cinema, "2D 观影券", ItemKind.VOUCHER, "电影", 1_500, 0, 1_000, Delivery.VIRTUAL, 100),
        (home, "静安寺联名马克杯", ItemKind.GOODS, "家居", 900, 990, 600, Delivery.SHIPPING, 30),
        (bakery, "手作曲奇礼盒", ItemKind.GOODS, "甜品", 800, 0, 450, Delivery.PICKUP, 60),
    ]
    items = []
    for n, (merchant, title, kind, category, points, cash, price, delivery, stock) in enumerate(specs):
        items.append(bus.execute(alliance.admin, CreateMallItem(
            supplier_merchant_id=merchant.id, kind=kind, title=title, category=category, points=points,
            cash_fen=cash, purchase_price_fen=price, delivery=delivery, stock=stock, per_day_limit=2,
            description=f"{merchant.spec.name} 供货", idempotency_key=f"demo-item-{n}",
        )).value)  # fmt: skip
    return items
