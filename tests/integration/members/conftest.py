"""Members services on a real database (both backends), with a fixed clock and a dev outbox."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from guildcard.auth import tokens
from guildcard.kernel.clock import FixedClock
from guildcard.members.domain.model import Profile
from guildcard.members.domain.otp import OtpPolicy, OtpPurpose
from guildcard.members.senders import DevOutboxSender
from guildcard.members.services import MembersService
from guildcard.members.services.base import MembersDeps
from guildcard.members.services.identity import SignedIn
from guildcard.privacy.cipher import FieldCipher, LookupHasher
from guildcard.privacy.phones import normalize_phone
from guildcard.throttle import Throttle

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
TERMS = "2026-11"


@dataclass
class FakeAllianceDirectory:
    known: set[str] = field(default_factory=lambda: {"al_1", "al_2"})

    def exists(self, alliance_id: str) -> bool:
        return alliance_id in self.known


@dataclass
class World:
    members: MembersService
    clock: FixedClock
    outbox: DevOutboxSender

    @property
    def deps(self) -> MembersDeps:
        return self.members.deps

    def last_code(self, phone: str) -> str:
        return self.outbox.messages(phone=normalize_phone(phone))[0].code

    def send_code(self, phone: str, *, alliance_id: str = "al_1", ip: str | None = None) -> str:
        self.members.identity.request_code(
            alliance_id=alliance_id, phone=phone, purpose=OtpPurpose.LOGIN, client_ip=ip or f"ip-{phone}"
        )
        return self.last_code(phone)

    def register(
        self,
        phone: str,
        *,
        alliance_id: str = "al_1",
        name: str | None = None,
        birthday: str | None = None,
    ) -> SignedIn:
        code = self.send_code(phone, alliance_id=alliance_id)
        profile = (
            Profile(display_name=name, birthday=datetime.fromisoformat(birthday).date() if birthday else None)
            if name or birthday
            else None
        )
        return self.members.identity.sign_in(
            alliance_id=alliance_id,
            phone=phone,
            code=code,
            client_ip=f"ip-{phone}",
            terms_version=TERMS,
            profile=profile,
        )

    def subject_of(self, token: str) -> tokens.TokenSubject | None:
        with self.deps.database.read() as conn:
            return tokens.resolve(conn, token, now=self.clock.now())


def make_world(database, *, policy: OtpPolicy | None = None, fixed_otp: str | None = None) -> World:
    clock, outbox = FixedClock(NOW), DevOutboxSender()
    deps = MembersDeps(
        database=database,
        clock=clock,
        cipher=FieldCipher("test-data-key-" + "d" * 30),
        lookup=LookupHasher("test-lookup-key-" + "l" * 30),
        throttle=Throttle(),
        sender=outbox,
        directory=FakeAllianceDirectory(),
        policy=policy or OtpPolicy(),
        fixed_otp=fixed_otp,
    )
    return World(MembersService(deps), clock, outbox)


@pytest.fixture
def world(database) -> World:
    return make_world(database)
