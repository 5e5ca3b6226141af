"""A hot-pot restaurant, a KTV and a cinema, members, and the coupon service on a real bus."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Connection

from guildcard.db.engine import Database
from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.clock import FixedClock
from guildcard.ledger import AesGcmKeyStore, LedgerService
from guildcard.ledger.handlers import handlers as ledger_handlers
from guildcard.pipeline import CommandBus
from guildcard.rewards.campaign_service import CampaignService
from guildcard.rewards.coupon_service import CouponService
from guildcard.rewards.domain.coupons import MemberFacts, Place, StoreUnknown
from guildcard.rewards.handlers import handlers as rewards_handlers
from guildcard.rewards.handlers.coupons import CouponDeps
from guildcard.rewards.ports import RewardsPorts

ALLIANCE = "al_jingan"
NOW = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)  # a Wednesday, 12:00 in Shanghai
KEYS = AesGcmKeyStore("test-data-key-0123456789abcdef0123456789")
HOTPOT, KTV, CINEMA = "mer_hotpot", "mer_ktv", "mer_cinema"
PLACES = {
    "st_hotpot_1": Place("st_hotpot_1", HOTPOT, "catering"),
    "st_hotpot_2": Place("st_hotpot_2", HOTPOT, "catering"),
    "st_ktv_1": Place("st_ktv_1", KTV, "ktv"),
    "st_cinema_1": Place("st_cinema_1", CINEMA, "cinema"),
}
ADMIN = Actor(ActorKind.OPERATOR, "op_admin", ALLIANCE, role="admin")


def staff(merchant_id: str, store_id: str, role: str = "cashier") -> Actor:
    return Actor(
        ActorKind.STAFF, f"stf_{store_id}_{role}", ALLIANCE, role=role, merchant_id=merchant_id,
        store_ids=frozenset({store_id}),
    )  # fmt: skip


def member(member_id: str) -> Actor:
    return Actor(ActorKind.MEMBER, member_id, ALLIANCE)


@dataclass
class FakePorts:
    registered: dict[str, datetime] = field(default_factory=dict)
    tiers: dict[str, list[str]] = field(default_factory=dict)  # tier code -> its members

    def members(
        self,
        conn: Connection,
        alliance_id: str,
        *,
        tier_code: str | None,
        segment_id: str | None,
        at: datetime,
    ) -> list[str] | None:
        return self.tiers.get(tier_code) if tier_code is not None else None

    def facts(self, conn: Connection, alliance_id: str, member_id: str) -> MemberFacts:
        return MemberFacts(member_id, self.registered.get(member_id, NOW - timedelta(days=100)))

    def place(self, conn: Connection, alliance_id: str, store_id: str) -> Place:
        if store_id not in PLACES:
            raise StoreUnknown(store_id=store_id)
        return PLACES[store_id]


@dataclass
class World:
    database: Database
    clock: FixedClock
    coupons: CouponService
    ledger: LedgerService
    ports: FakePorts
    campaigns: CampaignService


def build_world(database: Database) -> World:
    clock = FixedClock(NOW)
    bus = CommandBus(database, clock, [rewards_handlers, ledger_handlers])
    ports = FakePorts()
    bus.provide("rewards", CouponDeps(ports=RewardsPorts(members=ports, places=ports, audiences=ports)))
    ledger = LedgerService(database, clock=clock, keys=KEYS, bus=bus)
    ledger.open_alliance_ledger(ALLIANCE)
    return World(
        database,
        clock,
        CouponService(database, clock, bus),
        ledger,
        ports,
        CampaignService(database, clock, bus),
    )


@pytest.fixture
def world(database: Database) -> World:
    return build_world(database)
