"""Field encryption at rest and keyed look-up hashes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from guildcard.kernel.errors import GuildCardError

_VERSION = "v1"
_NONCE_BYTES = 12


class DecryptionFailed(GuildCardError):
    """A stored value could not be decrypted (wrong key or tampered data)."""

    code = "privacy.decryption_failed"


def _derive(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(secret.encode())


class FieldCipher:
    """AES-256-GCM for single fields: ``"v1:" + base64url(nonce || ciphertext)``.

    ``context`` (e.g. ``"member:{id}:phone"``) is authenticated, so a ciphertext copied to
    another row or field does not decrypt.
    """

    def __init__(self, data_key: str) -> None:
        self._aead = AESGCM(_derive(data_key, b"guildcard field encryption v1"))

    def encrypt(self, plaintext: str, *, context: str = "") -> str:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), context.encode())
        return f"{_VERSION}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def decrypt(self, token: str, *, context: str = "") -> str:
        version, _, body = token.partition(":")
        if version != _VERSION:
            raise DecryptionFailed(f"unknown ciphertext version {version!r}")
        raw = base64.urlsafe_b64decode(body.encode())
        try:
            plain = self._aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], context.encode())
        except InvalidTag as exc:
            raise DecryptionFailed() from exc
        return plain.decode()


class LookupHasher:
    """A keyed hash for equality look-ups (phone -> member) without storing the value in clear."""

    def __init__(self, lookup_key: str) -> None:
        self._key = _derive(lookup_key, b"guildcard lookup hash v1")

    def subkey(self, label: bytes) -> bytes:
        """A key of its own for one purpose (e.g. masking member numbers in member codes)."""
        return hmac.new(self._key, label, hashlib.sha256).digest()

    def digest(self, value: str, *, scope: str) -> str:
        """Hex HMAC-SHA256 of ``value`` within ``scope`` (e.g. the alliance id)."""
        message = f"{scope}\x1f{value}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()
