"""Code senders: a development outbox, a logging sender, and the start-up choice between them.

Outside development neither may run (they would show codes to whoever reads the page or
the log): ``build_code_sender`` refuses. With an SMS provider configured (``GUILDCARD_SMS_*``) codes
go through it (``guildcard.adapters.otp_sms``); without one the production sender answers 503.
"""

from __future__ import annotations

import logging
import threading
from collections import deque

from guildcard.kernel.errors import InsecureSettings, Unavailable
from guildcard.members.ports import CodeSender, OutgoingCode
from guildcard.privacy.phones import mask_phone
from guildcard.settings import Settings

logger = logging.getLogger("guildcard.members.codes")
OUTBOX_SIZE = 200


class SmsUnavailable(Unavailable):
    """No SMS gateway is configured, so codes cannot be sent."""

    code = "members.sms_unavailable"


class DevOutboxSender:
    """Keeps the latest codes in memory for the development outbox page."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._messages: deque[OutgoingCode] = deque(maxlen=OUTBOX_SIZE)

    def send(self, message: OutgoingCode) -> None:
        with self._lock:
            self._messages.appendleft(message)

    def messages(self, *, phone: str | None = None) -> list[OutgoingCode]:
        with self._lock:
            return [m for m in self._messages if phone is None or m.phone == phone]


class LoggingSender:
    """Writes codes to the log, phone masked: development only."""

    def send(self, message: OutgoingCode) -> None:
        logger.warning(
            "one-time code for %s in %s: %s", mask_phone(message.phone), message.alliance_id, message.code
        )


class UnconfiguredSmsSender:
    def send(self, message: OutgoingCode) -> None:
        raise SmsUnavailable()


def build_code_sender(settings: Settings, *, sms: CodeSender | None = None) -> CodeSender:
    """``otp_sender``: ``outbox`` (development default), ``log``, or ``sms`` (the configured gateway)."""
    choice = settings.otp_sender or ("outbox" if settings.is_development else "sms")
    if choice in {"outbox", "log"} and not settings.is_development:
        raise InsecureSettings(f"GUILDCARD_OTP_SENDER={choice} shows codes: development only")
    if choice == "outbox":
        return DevOutboxSender()
    if choice == "log":
        return LoggingSender()
    return sms or UnconfiguredSmsSender()
