import pytest

from guildcard.kernel.errors import InsecureSettings
from guildcard.settings import Settings, load_settings

STRONG = "x" * 40


def test_development_starts_with_built_in_secrets(monkeypatch):
    monkeypatch.delenv("GUILDCARD_SECRET_KEY", raising=False)
    settings = load_settings(env="development")
    assert settings.secret("secret_key")
    assert settings.resolved_database_url.startswith("sqlite:///")


def test_production_refuses_missing_and_default_secrets_and_names_each():
    with pytest.raises(InsecureSettings) as caught:
        load_settings(
            env="production",
            secret_key="dev-only-secret-key-change-me-0000000000",
            data_key="short",
            fixed_otp="123456",
        )
    message = caught.value.message
    assert "GUILDCARD_SECRET_KEY is the development default" in message
    assert "GUILDCARD_DATA_KEY is shorter than 32 characters" in message
    assert "GUILDCARD_LOOKUP_KEY is missing" in message
    assert "GUILDCARD_FIXED_OTP" in message


def test_production_starts_with_strong_secrets():
    settings = load_settings(
        env="production", secret_key=STRONG, data_key=STRONG + "d", lookup_key=STRONG + "l"
    )
    assert settings.secret("data_key") == STRONG + "d"


def test_production_never_falls_back_to_a_default_secret():
    settings = Settings(env="production")
    with pytest.raises(InsecureSettings):
        settings.secret("lookup_key")
