"""Password hashing with argon2 (pwdlib). Passwords are never stored, logged or returned."""

from __future__ import annotations

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from guildcard.alliance.domain.errors import WeakPassword

MIN_LENGTH = 10


class Passwords:
    def __init__(self, hasher: Argon2Hasher | None = None) -> None:
        self._hash = PasswordHash((hasher or Argon2Hasher(),))
        # Verified when the login is unknown, so timing does not tell which logins exist.
        self._dummy = self._hash.hash("not a password of anyone")

    @classmethod
    def fast_for_tests(cls) -> Passwords:
        return cls(Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1))

    def hash(self, password: str) -> str:
        check_strength(password)
        return self._hash.hash(password)

    def verify(self, password: str, stored: str | None) -> tuple[bool, str | None]:
        """``(valid, new_hash)``: ``new_hash`` when the parameters changed and it should be stored."""
        if stored is None:
            self._hash.verify(password, self._dummy)
            return False, None
        return self._hash.verify_and_update(password, stored)


def check_strength(password: str) -> None:
    if len(password) < MIN_LENGTH or password.strip() != password or len(set(password)) < 4:
        raise WeakPassword(field="password")
