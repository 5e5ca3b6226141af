"""A small alliance for the mall, check-in and lottery stories: the real bus, ledger and clock."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from guildcard.adapters.rewards_ports import TierFromLoyalty
from guildcard.bootstrap import Container, bootstrap
from guildcard.db.engine import Database
from guildcard.kernel.actors import Actor, ActorKind, system_actor
from guildcard.kernel.clock import FixedClock
from guildcard.ledger.domain import entries as chart
from guildcard.ledger.queries import LedgerQueries
from guildcard.ledger.verify import verify_alliance
from guildcard.pipeline import Command
from guildcard.rewards.domain.coupons import ClaimWay, CouponKind, MemberFacts
from guildcard.rewards.handlers.coupons import CouponDeps, CreateCouponTemplate
from guildcard.rewards.ports import RewardsPorts
from guildcard.settings import Settings

ALLIANCE = "al_jingan"
START = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # a Tuesday, 10:00 in Shanghai
BAKERY, CINEMA = "mer_bakery", "mer_cinema"
OPERATOR = Actor(ActorKind.OPERATOR, "op_admin", ALLIANCE, role="admin")
SYSTEM = system_actor(ALLIANCE, "jobs")


def staff(merchant_id: str, store_id: str, role: str = "cashier") -> Actor:
    return Actor(
        ActorKind.STAFF, f"stf_{store_id}_{role}", ALLIANCE, role=role, merchant_id=merchant_id,
        store_ids=frozenset({store_id}),
    )  # fmt: skip


def member(member_id: str) -> Actor:
    return Actor(ActorKind.MEMBER, member_id, ALLIANCE)


BAKERY_CASHIER = staff(BAKERY, "st_bakery_1")
BAKERY_OWNER = staff(BAKERY, "st_bakery_1", "owner")
CINEMA_CASHIER = staff(CINEMA, "st_cinema_1")


@dataclass
class World:
    container: Container
    clock: FixedClock

    def run(self, actor: Actor, command: Command):
        return self.container.bus.execute(actor, command).value

    def give_points(self, member_id: str, amount: int, issuer: str = chart.merchant_issued(CINEMA)) -> None:
        self.container.ledger().award(
            ALLIANCE, member_id=member_id, issuer=issuer, amount=amount,
            idempotency_key=f"seed:{member_id}:{amount}:{self.clock.now().isoformat()}",
        )  # fmt: skip

    def balance(self, member_id: str):
        with self.container.database.read() as conn:
            return LedgerQueries(conn, alliance_id=ALLIANCE).balance(member_id)

    def account(self, code: str) -> int:
        with self.container.database.read() as conn:
            return LedgerQueries(conn, alliance_id=ALLIANCE).account_balance(code)

    def violations(self) -> list:
        with self.container.database.read() as conn:
            return verify_alliance(conn, ALLIANCE)

    def read(self, work):
        with self.container.database.read() as conn:
            return work(conn)


class LedgerOnlyMembers:
    """The world's members exist in the ledger only: each registered a year ago, tier from loyalty."""

    def __init__(self, tier_of: TierFromLoyalty) -> None:
        self._tier_of = tier_of

    def facts(self, conn, alliance_id: str, member_id: str) -> MemberFacts:
        tier = self._tier_of(conn, alliance_id, member_id)
        return MemberFacts(member_id, START - timedelta(days=365), tier)


def make_world(database: Database) -> World:
    clock = FixedClock(START)
    container = bootstrap(
        Settings(env="development", database_url=database.url.render_as_string(False)), clock=clock
    )
    container.ledger().open_alliance_ledger(ALLIANCE)
    deps = container.bus._deps["rewards"]
    ports = RewardsPorts(members=LedgerOnlyMembers(TierFromLoyalty(clock)), places=deps.coupons.ports.places)
    coupons = CouponDeps(ports=ports, ledger=deps.coupons.ledger)
    container.bus.provide("rewards", replace(deps, coupons=coupons))
    return World(container, clock)


def prize_coupon(world: World, name: str = "电影券", **changes) -> str:
    """An alliance voucher that campaigns and the mall may give away: its template id."""
    values = {
        "name": name, "kind": CouponKind.VOUCHER, "value_fen": 3_000, "valid_days": 30,
        "ways": frozenset({ClaimWay.GIFT}), "per_member_limit": 5,
    }  # fmt: skip
    values.update(changes)
    return world.run(OPERATOR, CreateCouponTemplate(**values)).template_id
