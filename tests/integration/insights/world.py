"""A small alliance on the real bootstrap (two merchants, a few members) where a test records purchases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from guildcard.alliance.services.passwords import Passwords
from guildcard.bootstrap import Container, bootstrap
from guildcard.counter.commands import MemberIdentity, PurchaseInput, RefundInput
from guildcard.db.engine import Database
from guildcard.demo.bench_alliance import BenchAlliance, BenchMerchant, seed_bench_alliance
from guildcard.kernel.actors import Actor, ActorKind, system_actor
from guildcard.kernel.clock import FixedClock
from guildcard.settings import Settings

START = datetime(2026, 10, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


@dataclass
class World:
    container: Container
    clock: FixedClock
    alliance: BenchAlliance
    orders: int = 0

    @property
    def operator(self) -> Actor:
        return system_actor(self.alliance.id, "test")

    def owner(self, merchant: BenchMerchant) -> Actor:
        return Actor(ActorKind.STAFF, f"owner-{merchant.id}", self.alliance.id, "owner", merchant.id)

    def buy(
        self, member: int, merchant: BenchMerchant, amount_fen: int, *, at: datetime, items: int | None = None
    ) -> tuple[str, int]:
        """Member ``member`` buys at ``merchant``'s first store at ``at``: the order number and payable."""
        self.clock.set(at)
        self.orders += 1
        order_no = f"T-{self.orders:05d}"
        code = self.container.members.member_codes.show_member_code(
            alliance_id=self.alliance.id, member_id=self.alliance.member_ids[member]
        )
        request = PurchaseInput(
            merchant.store_ids[0], order_no, amount_fen, MemberIdentity(member_code=code.digits), items=items
        )
        receipt = self.container.counter.commit(self.owner(merchant), request).receipt
        return order_no, receipt.payable_fen

    def refund(self, merchant: BenchMerchant, order_no: str, amount_fen: int, *, at: datetime) -> None:
        self.clock.set(at)
        self.container.counter.refund(
            self.owner(merchant), RefundInput(merchant.store_ids[0], order_no, f"R-{order_no}", amount_fen)
        )


def make_world(database: Database, *, members: int = 4) -> World:
    clock = FixedClock(START)
    url = database.url.render_as_string(hide_password=False)
    settings = Settings(env="development", database_url=url, fixed_otp="246810")
    container = bootstrap(settings, clock=clock, passwords=Passwords.fast_for_tests())
    alliance = seed_bench_alliance(
        container, members=members, password="correct horse battery", sessions=False, opening_points=0
    )
    return World(container, clock, alliance)
