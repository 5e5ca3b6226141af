"""What the members context needs from outside, as small protocols wired in ``bootstrap``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

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
