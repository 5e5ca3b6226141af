"""Settings from the environment (``GUILDCARD_*``), validated once at start-up.

Development runs with built-in throw-away secrets so that a fresh clone starts with
one command. Any other environment refuses to start while a secret is missing, is a
development default, or is too short, and while a fixed one-time code is set; the
error names each offending setting.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from guildcard.kernel.errors import InsecureSettings

_DEV_SECRETS = {
    "secret_key": "dev-only-secret-key-change-me-0000000000",
    "data_key": "dev-only-data-key-change-me-00000000000000",
    "lookup_key": "dev-only-lookup-key-change-me-000000000000",
}
_MIN_SECRET_LEN = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GUILDCARD_", env_file=".env", extra="ignore")

    env: Literal["development", "production"] = "development"
    data_dir: Path = Path("data")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default: SQLite file under data_dir"
    )
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"
    # Signs session cookies and CSRF tokens.
    secret_key: SecretStr | None = None
    # Encrypts personal data at rest (AES-GCM key derivation input).
    data_key: SecretStr | None = None
    # Keyed hash for looking up phone numbers without decrypting them.
    lookup_key: SecretStr | None = None
    # Where rate-limit counters live: memory:// (one process) or redis://127.0.0.1:6379 (shared by
    # every worker; required in production with several workers).
    rate_limit_storage: str = "memory://"
    # Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (comma-separated addresses or
    # networks, e.g. "10.0.0.5,10.1.0.0/16"). None by default: the client is the TCP peer.
    trusted_proxies: str = ""
    # PostgreSQL only: counter commits that arrive together share one transaction (pipeline/group.py).
    # Off by default: the bench (``guildcard bench counter``) did not show it helping on this machine.
    group_commit: bool = False
    # Development convenience only: every one-time code is this value.
    fixed_otp: str | None = None
    # Who delivers one-time codes: outbox (development page), log, or sms (gateway adapter).
    # Default: outbox in development, sms otherwise; outbox and log are refused outside development.
    otp_sender: Literal["outbox", "log", "sms"] | None = None
    # The SMS provider (one-time codes, and later member messages): Alibaba Cloud or Tencent Cloud.
    sms_provider: Literal["aliyun", "tencent"] | None = None
    sms_access_key_id: str | None = None  # Alibaba AccessKeyId / Tencent SecretId
    sms_access_key_secret: SecretStr | None = None  # Alibaba AccessKeySecret / Tencent SecretKey
    sms_app_id: str | None = None  # Tencent SmsSdkAppId
    sms_sign_name: str | None = None  # the approved signature (签名), e.g. 静安寺商圈联盟
    sms_otp_template: str | None = None  # the approved one-time-code template (code / id)
    # The approved notice template automation's SMS messages use; its one variable is ``content``.
    sms_notice_template: str | None = None
    sms_endpoint: str | None = None  # default: the provider's public endpoint

    @property
    def is_development(self) -> bool:
        return self.env == "development"

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'guildcard.db').as_posix()}"

    def secret(self, name: Literal["secret_key", "data_key", "lookup_key"]) -> str:
        """The secret's value; in development a built-in default stands in for a missing one."""
        value: SecretStr | None = getattr(self, name)
        if value is not None:
            return value.get_secret_value()
        if self.is_development:
            return _DEV_SECRETS[name]
        raise InsecureSettings(f"GUILDCARD_{name.upper()} is not set")

    def check_safe(self) -> None:
        """Refuse to run outside development with default, missing or weak secrets."""
        if self.is_development:
            return
        problems = []
        for name, default in _DEV_SECRETS.items():
            value: SecretStr | None = getattr(self, name)
            env_name = f"GUILDCARD_{name.upper()}"
            if value is None:
                problems.append(f"{env_name} is missing")
            elif value.get_secret_value() == default:
                problems.append(f"{env_name} is the development default")
            elif len(value.get_secret_value()) < _MIN_SECRET_LEN:
                problems.append(f"{env_name} is shorter than {_MIN_SECRET_LEN} characters")
        values = {n: v.get_secret_value() for n in _DEV_SECRETS if (v := getattr(self, n)) is not None}
        if len(values) == len(_DEV_SECRETS) and len(set(values.values())) < len(values):
            problems.append(
                "GUILDCARD_SECRET_KEY, GUILDCARD_DATA_KEY and GUILDCARD_LOOKUP_KEY"
                " must be three different values"
            )
        if self.fixed_otp:
            problems.append("GUILDCARD_FIXED_OTP is set (fixed one-time codes are for development)")
        if self.otp_sender in {"outbox", "log"}:
            problems.append(f"GUILDCARD_OTP_SENDER={self.otp_sender} shows codes (development only)")
        if problems:
            raise InsecureSettings(
                f"refusing to start in {self.env}: " + "; ".join(problems), problems=problems
            )

    @property
    def shared_rate_limits(self) -> bool:
        return not self.rate_limit_storage.startswith("memory://")

    def check_workers(self, workers: int) -> None:
        """Several workers each counting in memory would multiply every limit: refused in production."""
        if workers > 1 and not self.shared_rate_limits and not self.is_development:
            raise InsecureSettings(
                f"refusing to start {workers} workers with GUILDCARD_RATE_LIMIT_STORAGE="
                f"{self.rate_limit_storage}: each would keep its own counters; use redis://…",
                problems=["GUILDCARD_RATE_LIMIT_STORAGE is in memory with several workers"],
            )

    def uvicorn_proxy_options(self) -> dict[str, object]:
        """Believe forwarded headers only from ``trusted_proxies`` (uvicorn trusts 127.0.0.1 unless told)."""
        trusted = [p.strip() for p in self.trusted_proxies.split(",") if p.strip()]
        if not trusted:
            return {"proxy_headers": False, "forwarded_allow_ips": ""}
        return {"proxy_headers": True, "forwarded_allow_ips": ",".join(trusted)}


def load_settings(**overrides: object) -> Settings:
    settings = Settings(**overrides)  # type: ignore[arg-type]
    settings.check_safe()
    return settings
