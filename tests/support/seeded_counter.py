"""The counter's API on the real bootstrap: a SQLite copy with the bench alliance seeded through the services.

Real adapters, real credentials: staff sessions, the operator admin's session and POS keys issued
by the alliance services; members registered with the (development) one-time code. The alliance is
seeded six hours before ``NOW`` (contracts are in force from then), and the clock stands at ``NOW``.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from guildcard.alliance.services.passwords import Passwords
from guildcard.api.app import create_app
from guildcard.bootstrap import Container, bootstrap
from guildcard.demo.bench_alliance import BenchAlliance, seed_bench_alliance
from guildcard.kernel.clock import FixedClock
from guildcard.settings import Settings

NOW = datetime(2026, 3, 4, 4, 0, tzinfo=UTC)  # a Wednesday, 12:00 in Shanghai
SEEDED_AT = NOW - timedelta(hours=6)
PASSWORD = "correct horse battery"
FIXED_OTP = "246810"


@dataclass
class SeededCounter:
    container: Container
    clock: FixedClock
    alliance: BenchAlliance
    client: TestClient

    def code(self, member: int = 0) -> str:
        """Member ``member``'s code now, as their phone shows it (single use per time step)."""
        shown = self.container.members.member_codes.show_member_code(
            alliance_id=self.alliance.id, member_id=self.alliance.member_ids[member]
        )
        return shown.digits

    def close(self) -> None:
        self.client.close()
        self.container.close()


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def seeded_counter(template: Path, path: Path, *, members: int = 3) -> SeededCounter:
    """Copy the migrated ``template`` to ``path`` and seed the bench alliance into it."""
    shutil.copy(template, path)
    clock = FixedClock(SEEDED_AT)
    settings = Settings(env="development", database_url=f"sqlite:///{path}", fixed_otp=FIXED_OTP)
    container = bootstrap(settings, clock=clock, passwords=Passwords.fast_for_tests())
    alliance = seed_bench_alliance(container, members=members, password=PASSWORD)
    clock.set(NOW)
    client = TestClient(create_app(container), raise_server_exceptions=False)
    return SeededCounter(container, clock, alliance, client)
