"""Webhook rules: endpoints, secrets, signing, the retry schedule and when to give up.

Signing follows the Standard Webhooks spec through the ``standardwebhooks`` package: a message
is signed over ``{webhook-id}.{webhook-timestamp}.{body}`` with HMAC-SHA256; while a secret is
being rotated both the new and the previous secret sign, so ``webhook-signature`` carries two
``v1,`` signatures and receivers that hold either secret accept the message.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import urlsplit

from standardwebhooks.webhooks import Webhook

from guildcard.kernel.errors import RuleViolation

SECRET_PREFIX = "whsec_"  # noqa: S105 - the Standard Webhooks secret prefix, not a secret
# Standard Webhooks' suggested schedule: immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h:
# eight attempts over about 27 hours ("for about a day").
RETRY_SCHEDULE: tuple[timedelta, ...] = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
MAX_ATTEMPTS = len(RETRY_SCHEDULE) + 1
# A subscription whose every attempt has failed for this long is disabled (with a notice).
DISABLE_AFTER = timedelta(hours=24)
# A rotated-out secret keeps signing for this long so receivers can switch over.
ROTATION_OVERLAP = timedelta(hours=24)
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class SubscriptionStatus(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # waiting for its next attempt
    SENDING = "sending"  # claimed by a worker (until its lease runs out)
    DELIVERED = "delivered"
    FAILED = "failed"  # every attempt failed (dead letter); an operator may replay it


class InvalidEndpoint(RuleViolation):
    """A webhook endpoint must be an https:// URL."""

    code = "automation.invalid_endpoint"


class UnknownEventType(RuleViolation):
    """This event type is not in the event catalogue."""

    code = "automation.unknown_event_type"


def check_endpoint(url: str, *, allow_local_http: bool) -> str:
    """An https URL; plain http only to this machine, and only where allowed (development, tests)."""
    parts = urlsplit(url.strip())
    if not parts.hostname:
        raise InvalidEndpoint()
    if parts.scheme == "https":
        return url.strip()
    if parts.scheme == "http" and allow_local_http and parts.hostname in LOCAL_HOSTS:
        return url.strip()
    raise InvalidEndpoint()


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def signature_header(
    *, msg_id: str, timestamp: datetime, body: str, secret: str, previous_secret: str | None = None
) -> str:
    """``webhook-signature``: one ``v1,`` signature per secret in force, space separated."""
    keys = [secret] if previous_secret is None else [secret, previous_secret]
    return " ".join(Webhook(key).sign(msg_id, timestamp, body) for key in keys)


def signed_headers(
    *, msg_id: str, timestamp: datetime, body: str, secret: str, previous_secret: str | None = None
) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": signature_header(
            msg_id=msg_id, timestamp=timestamp, body=body, secret=secret, previous_secret=previous_secret
        ),
    }


@dataclass(frozen=True)
class AttemptVerdict:
    status: DeliveryStatus
    next_attempt_at: datetime | None


def after_attempt(*, attempts: int, succeeded: bool, now: datetime) -> AttemptVerdict:
    """Where a delivery stands after its ``attempts``-th attempt."""
    if succeeded:
        return AttemptVerdict(DeliveryStatus.DELIVERED, None)
    if attempts >= MAX_ATTEMPTS:
        return AttemptVerdict(DeliveryStatus.FAILED, None)
    return AttemptVerdict(DeliveryStatus.PENDING, now + RETRY_SCHEDULE[attempts - 1])


def should_disable(*, failing_since: datetime | None, now: datetime) -> bool:
    """Persistent failure: nothing delivered to the endpoint for ``DISABLE_AFTER``."""
    return failing_since is not None and now - failing_since >= DISABLE_AFTER


def succeeded(status_code: int | None) -> bool:
    return status_code is not None and 200 <= status_code < 300
