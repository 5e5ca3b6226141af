"""A small alliance for the mall, check-in and lottery stories: the real bus, ledger and clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from guildcard.bootstrap import Container, bootstrap
from guildcard.db.engine import Database
from guildcard.kernel.actors import Actor, ActorKind, system_actor
from guildcard.kernel.clock import FixedClock
from guildcard.ledger.domain import entries as chart
from guildcard.ledger.queries import LedgerQueries
from guildcard.ledger.verify import verify_alliance
from guildcard.pipeline import Command
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


def make_world(database: Database) -> World:
    clock = FixedClock(START)
    container = bootstrap(
        Settings(env="development", database_url=database.url.render_as_string(False)), clock=clock
    )
    container.ledger().open_alliance_ledger(ALLIANCE)
    return World(container, clock)
