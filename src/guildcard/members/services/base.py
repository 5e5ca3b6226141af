"""What every members service needs: its dependencies, the command bus, and repositories for reads."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import Connection

from guildcard.db.engine import Database
from guildcard.kernel.clock import Clock
from guildcard.members.domain.otp import OtpPolicy
from guildcard.members.errors import UnknownAlliance
from guildcard.members.handlers import handlers
from guildcard.members.ports import AllianceDirectory, CodeSender, HoldingsCarrier
from guildcard.members.services.terms_check import TermsCheck
from guildcard.members.storage.duplicates import DuplicateRepository
from guildcard.members.storage.repository import MemberRepository
from guildcard.pipeline import CommandBus
from guildcard.privacy.cipher import FieldCipher, LookupHasher
from guildcard.throttle import Throttle


@dataclass(frozen=True)
class MembersDeps:
    database: Database
    clock: Clock
    cipher: FieldCipher
    lookup: LookupHasher
    throttle: Throttle
    sender: CodeSender
    directory: AllianceDirectory
    policy: OtpPolicy = field(default_factory=OtpPolicy)
    fixed_otp: str | None = None  # development only (settings refuse it elsewhere)
    session_ttl: timedelta = timedelta(days=30)
    bus: CommandBus = None  # type: ignore[assignment]  # None: a bus of the members' own handlers
    # The terms check of every member page, cached per process (``services/terms_check.py``).
    terms_check: TermsCheck = field(default_factory=TermsCheck)
    # What other contexts hold of a member, moved by a merge in its transaction (``bootstrap``).
    carriers: tuple[HoldingsCarrier, ...] = ()

    def __post_init__(self) -> None:
        if self.bus is None:
            object.__setattr__(
                self, "bus", CommandBus(self.database, self.clock, [handlers], deps={"members": self})
            )

    @contextmanager
    def read(self) -> Iterator[Repositories]:
        """Repositories on a read transaction (a consistent snapshot on PostgreSQL)."""
        with self.database.read() as conn:
            yield Repositories(conn, self)

    def require_alliance(self, alliance_id: str) -> None:
        if not self.directory.exists(alliance_id):
            raise UnknownAlliance(alliance_id=alliance_id)


@dataclass(frozen=True)
class Repositories:
    connection: Connection
    deps: MembersDeps

    @property
    def members(self) -> MemberRepository:
        return MemberRepository(self.connection, self.deps.cipher, self.deps.lookup)

    @property
    def duplicates(self) -> DuplicateRepository:
        return DuplicateRepository(self.connection)
