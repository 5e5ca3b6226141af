"""Input checks shared by the alliance's commands (pure: no database)."""

from __future__ import annotations

import re

from guildcard.kernel.errors import InvalidInput

_LOGIN_RE = re.compile(r"^[A-Za-z0-9._@+-]{3,64}$")


def required_text(value: str, name: str, limit: int) -> str:
    """``value`` stripped; it must be non-empty and at most ``limit`` characters."""
    value = value.strip()
    if not value or len(value) > limit:
        raise InvalidInput(f"{name} is required (at most {limit} characters)", field=name)
    return value


def check_login(login: str) -> str:
    login = login.strip()
    if not _LOGIN_RE.match(login):
        raise InvalidInput("A login is 3-64 letters, digits or . _ @ + -", field="login")
    return login
