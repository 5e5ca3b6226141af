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


def test_production_refuses_one_value_for_the_three_secrets():
    with pytest.raises(InsecureSettings) as caught:
        load_settings(env="production", secret_key=STRONG, data_key=STRONG, lookup_key=STRONG + "l")
    assert "must be three different values" in caught.value.message


def test_production_refuses_in_memory_rate_limits_with_several_workers():
    settings = load_settings(
        env="production", secret_key=STRONG, data_key=STRONG + "d", lookup_key=STRONG + "l"
    )
    settings.check_workers(1)
    with pytest.raises(InsecureSettings) as caught:
        settings.check_workers(2)
    assert "GUILDCARD_RATE_LIMIT_STORAGE" in caught.value.message
    shared = settings.model_copy(update={"rate_limit_storage": "redis://127.0.0.1:6379"})
    shared.check_workers(4)
    Settings(env="development").check_workers(2)  # development: a warning, not a refusal


def test_forwarded_headers_are_believed_only_from_configured_proxies():
    assert Settings().uvicorn_proxy_options() == {"proxy_headers": False, "forwarded_allow_ips": ""}
    behind = Settings(trusted_proxies="10.0.0.5, 10.1.0.0/16")
    assert behind.uvicorn_proxy_options() == {
        "proxy_headers": True,
        "forwarded_allow_ips": "10.0.0.5,10.1.0.0/16",
    }
