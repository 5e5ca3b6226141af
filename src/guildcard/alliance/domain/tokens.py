"""Secrets shown once (activation and applicant tokens, POS keys): only their SHA-256 is stored.

A token reads ``{alliance_id}.{secret}`` and a POS key ``gck_{alliance_id}.{secret}``: the
alliance part finds the tenant, the secret's hash finds the row.
"""

from __future__ import annotations

import hashlib
import secrets

KEY_PREFIX = "gck_"


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret_token(alliance_id: str) -> tuple[str, str]:
    """``(token, hash)``: ``{alliance_id}.{secret}``, shown once; only the hash is stored."""
    secret = secrets.token_urlsafe(32)
    return f"{alliance_id}.{secret}", hash_secret(secret)


def split_secret_token(token: str) -> tuple[str, str] | None:
    """``(alliance_id, hash)`` of a well-formed token, else None."""
    alliance_id, sep, secret = token.strip().rpartition(".")
    if not sep or not alliance_id or len(secret) < 20:
        return None
    return alliance_id, hash_secret(secret)


def new_pos_key(alliance_id: str) -> tuple[str, str, str]:
    """``(key, prefix, hash)``: the key is shown once, its first characters name it in lists."""
    secret = secrets.token_urlsafe(32)
    return f"{KEY_PREFIX}{alliance_id}.{secret}", secret[:6], hash_secret(secret)


def parse_pos_key(key: str) -> tuple[str, str] | None:
    """``(alliance_id, key_hash)`` of a well-formed POS key, else None."""
    if not key.startswith(KEY_PREFIX):
        return None
    alliance_id, sep, secret = key.removeprefix(KEY_PREFIX).rpartition(".")
    if not sep or not alliance_id or len(secret) < 30:
        return None
    return alliance_id, hash_secret(secret)
