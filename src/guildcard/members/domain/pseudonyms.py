"""Pseudonymous labels: how a member who does not share their data appears."""

from __future__ import annotations

_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud at a counter
LABEL_PREFIX = "会员"
ERASED_PREFIX = "已注销会员"


def short_tag(hex_digest: str, length: int = 4) -> str:
    """A few readable characters from a (keyed) hex digest."""
    value = int(hex_digest[:16], 16)
    chars = []
    for _ in range(length):
        chars.append(_ALPHABET[value % len(_ALPHABET)])
        value //= len(_ALPHABET)
    return "".join(chars)


def customer_label(hex_digest: str) -> str:
    """E.g. ``会员 7F3K``: stable for one merchant, unrelated across merchants."""
    return f"{LABEL_PREFIX} {short_tag(hex_digest)}"


def erased_label(hex_digest: str) -> str:
    return f"{ERASED_PREFIX} {short_tag(hex_digest, 6)}"
