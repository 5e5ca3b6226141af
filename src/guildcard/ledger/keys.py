"""Alliance signing keys: Ed25519, private key encrypted at rest (AES-GCM).

``KeyStore`` is the port; ``AesGcmKeyStore`` derives an AES key from the settings'
``data_key``. (The shared ``guildcard.privacy.cipher.FieldCipher`` can replace it.)
"""

from __future__ import annotations

import base64
import hashlib
import os
from typing import Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat


class KeyStore(Protocol):
    def seal(self, secret: bytes) -> str: ...

    def open(self, sealed: str) -> bytes: ...


class AesGcmKeyStore:
    def __init__(self, data_key: str) -> None:
        self._aead = AESGCM(hashlib.sha256(b"guildcard-ledger-keys|" + data_key.encode()).digest())

    def seal(self, secret: bytes) -> str:
        nonce = os.urandom(12)
        return base64.b64encode(nonce + self._aead.encrypt(nonce, secret, b"ledger-signing-key")).decode()

    def open(self, sealed: str) -> bytes:
        raw = base64.b64decode(sealed)
        return self._aead.decrypt(raw[:12], raw[12:], b"ledger-signing-key")


def new_signing_key(store: KeyStore) -> tuple[str, str]:
    """A fresh key pair: (public key hex, sealed private key)."""
    key = Ed25519PrivateKey.generate()
    raw = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
    return public, store.seal(raw)


def sign(store: KeyStore, sealed: str, message: bytes) -> str:
    return Ed25519PrivateKey.from_private_bytes(store.open(sealed)).sign(message).hex()


def signature_holds(public_key_hex: str, message: bytes, signature_hex: str) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex)).verify(
            bytes.fromhex(signature_hex), message
        )
    except Exception:
        return False
    return True
