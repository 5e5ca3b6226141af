"""The SMS adapters against fakes that check signatures per the providers' specs, and member sign-in
in production with a configured provider."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from tests.support.fake_sms import APP_ID, KEY_ID, KEY_SECRET, fake_sms

from guildcard.api.app import create_app
from guildcard.automation.channels.aliyun_sms import AliyunSms
from guildcard.automation.channels.port import ChannelRefused, OutgoingMessage
from guildcard.automation.channels.tencent_sms import TencentSms
from guildcard.automation.domain.rules import Channel, Controls, MessageAction, MessageKind
from guildcard.automation.handlers.rules import CreateRule
from guildcard.bootstrap import Container, bootstrap
from guildcard.cli.worker import build_worker
from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.errors import InsecureSettings
from guildcard.settings import Settings

REGISTER = {"phone": "13812345678", "purpose": "register"}
CODE = OutgoingMessage("+8613812345678", "SMS_100001", {"code": "483920"})
SECRETS = {
    name: f"production-{name}-0123456789abcdef0123456789" for name in ("secret_key", "data_key", "lookup_key")
}


def test_alibaba_cloud_sms_is_signed_as_its_spec_says():
    with fake_sms("aliyun") as fake:
        sms = AliyunSms(
            access_key_id=KEY_ID, access_key_secret=KEY_SECRET, sign_name="静安寺商圈联盟", endpoint=fake.url
        )
        receipt = sms.send(CODE)
        sms.send(OutgoingMessage("+8613900001111", "SMS_100002", {"name": "王 先生*~", "points": "120"}))
        assert receipt.provider_id == "biz1"
        assert [(s.phone, s.template, s.params) for s in fake.sent] == [
            ("13812345678", "SMS_100001", {"code": "483920"}),
            ("13900001111", "SMS_100002", {"name": "王 先生*~", "points": "120"}),
        ]
        wrong = AliyunSms(
            access_key_id=KEY_ID, access_key_secret="not-the-secret", sign_name="联盟", endpoint=fake.url
        )
        with pytest.raises(ChannelRefused) as refused:
            wrong.send(CODE)
        assert "SignatureDoesNotMatch" in refused.value.reason
        stale = AliyunSms(
            access_key_id=KEY_ID, access_key_secret=KEY_SECRET, sign_name="联盟", endpoint=fake.url,
            now=lambda: datetime.now(UTC) - timedelta(hours=1),
        )  # fmt: skip
        with pytest.raises(ChannelRefused) as refused:
            stale.send(CODE)
        assert "InvalidTimeStamp" in refused.value.reason


def test_tencent_cloud_sms_is_signed_with_tc3_hmac_sha256():
    with fake_sms("tencent") as fake:
        sms = TencentSms(secret_id=KEY_ID, secret_key=KEY_SECRET, app_id=APP_ID, sign_name="静安寺商圈联盟",
                         endpoint=fake.url)  # fmt: skip
        assert sms.send(CODE).provider_id == "sn1"
        assert [(s.phone, s.template, s.params) for s in fake.sent] == [
            ("+8613812345678", "SMS_100001", ["483920"])
        ]
        wrong = TencentSms(
            secret_id=KEY_ID, secret_key="nope", app_id=APP_ID, sign_name="联盟", endpoint=fake.url
        )
        with pytest.raises(ChannelRefused) as refused:
            wrong.send(CODE)
        assert "AuthFailure.SignatureFailure" in refused.value.reason
        assert fake.refused == ["AuthFailure.SignatureFailure"]


def production(database, **sms: str) -> Settings:
    return Settings(env="production", database_url=database.url.render_as_string(False), **SECRETS, **sms)


class OneAlliance:
    def exists(self, alliance_id: str) -> bool:
        return alliance_id == "al_1"


def configured(database, provider: str, url: str, **more: str) -> Container:
    settings = production(
        database, sms_provider=provider, sms_access_key_id=KEY_ID, sms_access_key_secret=KEY_SECRET,
        sms_app_id=APP_ID, sms_sign_name="静安寺商圈联盟", sms_otp_template="SMS_OTP", sms_endpoint=url,
        **more,
    )  # fmt: skip
    container = bootstrap(settings)
    container.alliance_directory = OneAlliance()
    return container


def sign_in_by_sms(client: TestClient, fake, provider: str) -> None:
    asked = client.post("/api/v1/alliances/al_1/otp", json={"phone": "13812345678", "purpose": "register"})
    assert asked.status_code == 202, asked.text
    sms = fake.sent[-1]
    code = sms.params["code"] if provider == "aliyun" else sms.params[0]
    signed_in = client.post(
        "/api/v1/alliances/al_1/members/session",
        json={"phone": "13812345678", "code": code, "accept_terms_version": "2026-11"},
    )
    assert signed_in.status_code == 201, signed_in.text


@pytest.mark.parametrize("provider", ["aliyun", "tencent"])
def test_in_production_a_member_signs_in_with_a_code_sent_by_the_configured_provider(database, provider):
    with fake_sms(provider) as fake:
        container = configured(database, provider, fake.url)
        with TestClient(create_app(container)) as client:
            sign_in_by_sms(client, fake, provider)
            assert client.get("/api/v1/dev/outbox").status_code == 404  # no development outbox here


def test_production_without_a_provider_answers_503_and_refuses_the_outbox_sender(database):
    container = bootstrap(production(database))
    container.alliance_directory = OneAlliance()
    with TestClient(create_app(container)) as client:
        asked = client.post(
            "/api/v1/alliances/al_1/otp", json={"phone": "13812345678", "purpose": "register"}
        )
        assert asked.status_code == 503
    with pytest.raises(InsecureSettings):
        bootstrap(production(database, otp_sender="outbox"))
    with pytest.raises(InsecureSettings):  # a provider half configured does not start
        bootstrap(production(database, sms_provider="tencent", sms_access_key_id=KEY_ID))


@pytest.mark.parametrize("provider", ["aliyun", "tencent"])
def test_a_rule_message_goes_out_by_sms_through_the_provider_with_the_notice_template(database, provider):
    with fake_sms(provider) as fake:
        container = configured(database, provider, fake.url, sms_notice_template="SMS_NOTICE")
        admin = Actor(ActorKind.OPERATOR, "opr_admin", "al_1", role="admin")
        welcome = MessageAction(Channel.SMS, MessageKind.SERVICE, "欢迎", "欢迎加入联盟，消费即可累积积分。")
        container.bus.execute(admin, CreateRule(
            name="欢迎短信", trigger="registered", actions=(welcome,), idempotency_key="sms-welcome",
            controls=Controls(quiet_start=None, quiet_end=None),
        ))  # fmt: skip
        with TestClient(create_app(container)) as client:
            sign_in_by_sms(client, fake, provider)
        worker, transport = build_worker(container)
        try:
            done = worker.drain()
        finally:
            transport.close()
        assert done.messages_sent == 1
        notice = fake.sent[1]
        assert notice.template == "SMS_NOTICE"
        assert notice.phone.endswith("13812345678")
        body = notice.params["content"] if provider == "aliyun" else notice.params[0]
        assert body == "欢迎加入联盟，消费即可累积积分。"
        assert fake.refused == []
