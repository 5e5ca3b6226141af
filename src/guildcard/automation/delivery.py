"""Delivering outbox messages: the channel each message goes out on, and per-channel rate limits.

The in-app inbox needs no provider: a message is delivered when the worker marks it sent (the
member H5 then shows it, unread). SMS needs the member's phone and a configured provider,
wired by the composition root; without one an SMS message fails and follows the retries.
Rate limits use the ``limits`` library: Redis storage when ``GUILDCARD_REDIS_URL`` is set (all
workers share the window), memory otherwise (one window per worker).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from guildcard.automation.channels.port import Channel, ChannelRefused, OutgoingMessage
from guildcard.automation.storage.rules import Message

# Sends one message on its channel, or raises ``ChannelRefused``.
Deliver = Callable[[Message], None]


def deliver_inbox(_message: Message) -> None:
    """An inbox message is delivered by being marked sent."""


def no_provider(_message: Message) -> None:
    raise ChannelRefused("no provider configured for this channel")


# The member's phone (E.164) for SMS, or None (erased, no phone): the members context's answer.
PhoneOf = Callable[[str, str], str | None]


def sms_delivery(channel: Channel, *, template: str, phone_of: PhoneOf) -> Deliver:
    """Rule messages by SMS: the provider's approved notice template, whose one variable
    ``content`` carries the rendered body (providers send only approved templates)."""

    def deliver(message: Message) -> None:
        phone = phone_of(message.alliance_id, message.member_id)
        if not phone:
            raise ChannelRefused("the member has no phone to send to")
        channel.send(OutgoingMessage(phone, template, {"content": message.body}))

    return deliver


DEFAULT_LIMITS = {"inbox": "100/second", "sms": "10/second"}


@dataclass
class MessageRouter:
    channels: Mapping[str, Deliver] = field(default_factory=lambda: {"inbox": deliver_inbox})
    limits: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_LIMITS))
    storage_uri: str = field(default_factory=lambda: os.environ.get("GUILDCARD_REDIS_URL") or "memory://")

    def __post_init__(self) -> None:
        self._limiter = MovingWindowRateLimiter(storage_from_string(self.storage_uri))
        self._items: dict[str, RateLimitItem] = {k: parse(v) for k, v in self.limits.items()}

    def allowed(self, channel: str) -> bool:
        """One more message on this channel now, within its rate limit?"""
        item = self._items.get(channel)
        return item is None or self._limiter.hit(item, "guildcard-messages", channel)

    def send(self, message: Message) -> None:
        self.channels.get(message.channel.value, no_provider)(message)
