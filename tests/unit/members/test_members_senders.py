"""Codes are shown only in development: outside it, the outbox and the log sender refuse to start."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from guildcard.kernel.errors import InsecureSettings
from guildcard.members.domain.otp import OtpPurpose
from guildcard.members.ports import OutgoingCode
from guildcard.members.senders import (
    DevOutboxSender,
    LoggingSender,
    SmsUnavailable,
    UnconfiguredSmsSender,
    build_code_sender,
)
from guildcard.settings import Settings

STRONG = "x" * 40
NOW = datetime(2026, 11, 23, tzinfo=UTC)
MESSAGE = OutgoingCode("al_1", "+8613812345678", "123456", OtpPurpose.LOGIN, NOW, NOW)


def production(**extra: str) -> Settings:
    return Settings(
        env="production", secret_key=STRONG, data_key=STRONG + "d", lookup_key=STRONG + "l", **extra
    )


def test_development_uses_the_outbox_by_default():
    sender = build_code_sender(Settings(env="development"))
    assert isinstance(sender, DevOutboxSender)
    sender.send(MESSAGE)
    assert sender.messages(phone="+8613812345678") == [MESSAGE]
    assert sender.messages(phone="+8613900000000") == []


@pytest.mark.parametrize("choice", ["outbox", "log"])
def test_outside_development_a_sender_that_shows_codes_refuses_to_start(choice):
    settings = production(otp_sender=choice)
    with pytest.raises(InsecureSettings, match="GUILDCARD_OTP_SENDER"):
        settings.check_safe()
    with pytest.raises(InsecureSettings):
        build_code_sender(settings)


def test_production_without_a_gateway_answers_unavailable_rather_than_leaking():
    sender = build_code_sender(production())
    assert isinstance(sender, UnconfiguredSmsSender)
    with pytest.raises(SmsUnavailable):
        sender.send(MESSAGE)


def test_the_logging_sender_masks_the_phone(caplog):
    with caplog.at_level(logging.WARNING):
        LoggingSender().send(MESSAGE)
    assert "138****5678" in caplog.text
    assert "13812345678" not in caplog.text
