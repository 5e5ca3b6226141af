"""What the members context needs from outside, as small protocols wired in ``bootstrap``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Connection

from guildcard.ledger.service import Ledger
from guildcard.members.domain.otp import OtpPurpose


class AllianceDirectory(Protocol):
    """Which alliances exist (the alliance context answers; a permissive default until then)."""

    def exists(self, alliance_id: str) -> bool: ...


class AnyAllianceDirectory:
    """Accepts every alliance id: the default until the alliance context is wired in."""

    def exists(self, alliance_id: str) -> bool:
        return bool(alliance_id)


@dataclass(frozen=True)
class OutgoingCode:
    alliance_id: str
    phone: str  # E.164
    code: str
    purpose: OtpPurpose
    sent_at: datetime
    expires_at: datetime


class CodeSender(Protocol):
    """Delivers a one-time code to a phone (an SMS gateway in production)."""

    def send(self, message: OutgoingCode) -> None: ...


@dataclass(frozen=True)
class MergeScope:
    """One move of a member's holdings inside the merge's (or its undo's) transaction:
    ``source``'s holdings go to ``target`` (the survivor on a merge, the absorbed on an undo)."""

    connection: Connection
    ledger: Ledger  # the command's: money and points move by its entries
    alliance_id: str
    merge_id: str
    source: str
    target: str
    now: datetime
    actor_id: str


@dataclass(frozen=True)
class Carried:
    """What one context moved: counts for the audit line and the event, and what an undo needs."""

    counts: dict[str, int]
    record: dict[str, Any]  # JSON, kept on the merge


class CarryRefused(Exception):
    """A holding cannot move (or move back); the merge or undo is refused with this reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class HoldingsCarrier(Protocol):
    """Another context's holdings of a member (coupons, the wallet, cards and tier, referrals, tags),
    moved by the merge in its own transaction and moved back by its undo (wired in ``bootstrap``)."""

    @property
    def name(self) -> str:
        """The key of its record on the merge."""
        ...

    def carry(self, scope: MergeScope) -> Carried: ...

    def restore(self, scope: MergeScope, record: dict[str, Any]) -> dict[str, int]:
        """Move back exactly what ``carry`` moved; raise ``CarryRefused`` saying why it cannot."""
        ...
