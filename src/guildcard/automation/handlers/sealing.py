"""Webhook signing secrets at rest: sealed with the data key's ``FieldCipher`` (AES-GCM, the
subscription's id authenticated), shown once when created or rotated, opened only to sign.

A row written before secrets were sealed holds a plain ``whsec_`` value: it still opens, and the
worker's claim seals it the first time it reads it (``reseal``)."""

from __future__ import annotations

from dataclasses import replace

from guildcard.automation.handlers.base import deps_of
from guildcard.automation.storage.webhooks import Subscription, WebhookRepository
from guildcard.pipeline import Work

PLAIN_PREFIX = "whsec_"


def _context(subscription_id: str) -> str:
    return f"automation:webhook:{subscription_id}:secret"


def seal(work: Work, subscription_id: str, secret: str) -> str:
    cipher = deps_of(work).cipher
    return secret if cipher is None else cipher.encrypt(secret, context=_context(subscription_id))


def open_secret(work: Work, subscription_id: str, stored: str) -> str:
    cipher = deps_of(work).cipher
    if cipher is None or stored.startswith(PLAIN_PREFIX):
        return stored
    return cipher.decrypt(stored, context=_context(subscription_id))


def opened(work: Work, sub: Subscription) -> Subscription:
    """The subscription with its secrets in clear (for signing only; never stored like this)."""
    previous = None if sub.previous_secret is None else open_secret(work, sub.id, sub.previous_secret)
    secret = open_secret(work, sub.id, sub.secret)
    return replace(sub, secret=secret, previous_secret=previous)


def reseal(work: Work, repo: WebhookRepository, sub: Subscription) -> None:
    """Seal a row's plain secrets (rows from before sealing), in the reading command's transaction."""
    if deps_of(work).cipher is None:
        return
    values = {
        name: seal(work, sub.id, value)
        for name, value in (("secret", sub.secret), ("previous_secret", sub.previous_secret))
        if value is not None and value.startswith(PLAIN_PREFIX)
    }
    if values:
        repo.update_subscription(sub.id, now=work.now, **values)
