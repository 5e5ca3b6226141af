"""Sign-in for operators and staff: passwords (argon2), activation, sessions, actor loaders.

Operators and staff share one login namespace per alliance. Attempts are rate-limited per
account and per client address. A suspended merchant's staff can still sign in and read
their data; the counter refuses earning and redeeming there (``require_active_merchant``).
"""

from __future__ import annotations

from typing import cast

from guildcard.alliance.domain.errors import (
    AllianceNotFound,
    BadCredentials,
    InvalidActivationToken,
    TooManyLoginAttempts,
)
from guildcard.alliance.domain.tokens import split_secret_token
from guildcard.alliance.handlers.auth import (
    SESSION_TTL,
    Activate,
    ChangePassword,
    Login,
    Logout,
    RecordFailedLogin,
    Session,
)
from guildcard.alliance.handlers.common import or_raise
from guildcard.alliance.services.base import Deps
from guildcard.alliance.storage import repository as repo
from guildcard.alliance.storage.actors import load_operator, load_staff
from guildcard.kernel.actors import Actor, system_actor

__all__ = ["SESSION_TTL", "AuthService", "Session", "load_operator", "load_staff"]

LOGIN_LIMIT_PER_ACCOUNT = "5/minute"
LOGIN_LIMIT_PER_ADDRESS = "30/minute"


class AuthService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def login(self, *, alliance: str, login: str, password: str, client_ip: str) -> Session:
        login = login.strip()
        self.deps.throttle.hit(LOGIN_LIMIT_PER_ADDRESS, "login-ip", client_ip, error=TooManyLoginAttempts)
        with self.deps.database.read() as conn:
            alliance_id = or_raise(repo.get_alliance(conn, alliance), AllianceNotFound).id
        account = (LOGIN_LIMIT_PER_ACCOUNT, "login", alliance_id, login.lower())
        self.deps.throttle.hit(*account, error=TooManyLoginAttempts)
        command = Login(login=login, password=password)
        try:
            session: Session = self.deps.bus.execute(system_actor(alliance_id, "auth"), command).value
        except BadCredentials:
            self.deps.bus.execute(system_actor(alliance_id, "auth"), RecordFailedLogin(login=login))
            raise
        self.deps.throttle.clear(*account)
        return session

    def logout(self, token: str) -> None:
        alliance_id, _sep, _secret = token.rpartition(".")
        self.deps.bus.execute(system_actor(alliance_id, "auth"), Logout(token=token))

    def activate(self, *, token: str, password: str) -> Actor:
        """Set the first password of an account with its one-time activation token."""
        parts = split_secret_token(token)
        if parts is None:
            raise InvalidActivationToken()
        alliance_id, token_hash = parts
        command = Activate(token_hash=token_hash, password_hash=self.deps.passwords.hash(password))
        return cast("Actor", self.deps.bus.execute(system_actor(alliance_id, "auth"), command).value)

    def change_password(self, actor: Actor, *, current: str, new: str) -> None:
        """Change one's own password; every other session is signed out."""
        command = ChangePassword(current=current, new_hash=self.deps.passwords.hash(new))
        self.deps.bus.execute(actor, command)
