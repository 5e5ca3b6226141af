"""The one port every channel implements: send one message to one recipient, or say why not."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from guildcard.kernel.errors import Unavailable


@dataclass(frozen=True)
class OutgoingMessage:
    to: str  # E.164 phone for SMS
    template: str  # the provider's template code or id
    params: Mapping[str, str] = field(default_factory=dict)  # in the template's order


@dataclass(frozen=True)
class SendReceipt:
    channel: str
    provider_id: str  # the provider's id of the message (BizId, SerialNo)


class ChannelRefused(Unavailable):
    """The message provider refused or could not be reached; the message can be retried."""

    code = "automation.channel_refused"

    def __init__(self, reason: str = "") -> None:
        super().__init__()
        self.reason = reason  # the provider's own words, for the log (never shown to members)


class Channel(Protocol):
    name: str

    def send(self, message: OutgoingMessage) -> SendReceipt: ...


def national_number(e164: str) -> str:
    """``+8613812345678`` -> ``13812345678``; other countries keep their country code (no ``+``)."""
    return e164.removeprefix("+86") if e164.startswith("+86") else e164.lstrip("+")
