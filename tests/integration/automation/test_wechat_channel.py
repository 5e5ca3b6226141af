"""The WeChat official-account adapter against a local fake of the template-message API."""

from __future__ import annotations

import pytest
from tests.support.fake_wechat import APP_ID, APP_SECRET, OPENID, TEMPLATE, fake_wechat

from guildcard.automation.channels.port import ChannelRefused, OutgoingMessage
from guildcard.automation.channels.wechat_mp import WeChatTemplates

NOTICE = OutgoingMessage(OPENID, TEMPLATE, {"keyword1": "120 积分", "keyword2": "2027-01-01"})


def test_a_template_message_is_sent_with_a_token_kept_and_fetched_again_when_revoked():
    with fake_wechat() as fake:
        wechat = WeChatTemplates(
            app_id=APP_ID, app_secret=APP_SECRET, endpoint=fake.url, link="https://h5.example/m"
        )
        first = wechat.send(NOTICE)
        wechat.send(NOTICE)
        assert first.channel == "wechat"
        assert first.provider_id == "200228333"
        assert fake.token_requests == 1  # the token is kept between messages
        assert fake.sent[0] == {
            "touser": OPENID, "template_id": TEMPLATE, "url": "https://h5.example/m",
            "data": {"keyword1": {"value": "120 积分"}, "keyword2": {"value": "2027-01-01"}},
        }  # fmt: skip

        fake.revoke_tokens()  # e.g. the secret was reset in the console: 40001, fetched again once
        wechat.send(NOTICE)
        assert fake.token_requests == 2
        assert len(fake.sent) == 3


def test_refusals_name_the_api_error_and_a_wrong_secret_gets_no_token():
    with fake_wechat() as fake:
        wechat = WeChatTemplates(app_id=APP_ID, app_secret=APP_SECRET, endpoint=fake.url)
        with pytest.raises(ChannelRefused) as refused:
            wechat.send(OutgoingMessage("o_someone_else", TEMPLATE, {"keyword1": "x"}))
        assert "40003" in refused.value.reason
        with pytest.raises(ChannelRefused) as refused:
            wechat.send(OutgoingMessage(OPENID, "tmpl_unknown", {}))
        assert "40037" in refused.value.reason
        wrong = WeChatTemplates(app_id=APP_ID, app_secret="not-it", endpoint=fake.url)
        with pytest.raises(ChannelRefused) as refused:
            wrong.send(NOTICE)
        assert "40125" in refused.value.reason
        assert fake.sent == []
    with pytest.raises(ChannelRefused):  # nobody listening
        WeChatTemplates(app_id=APP_ID, app_secret=APP_SECRET, endpoint=fake.url, timeout=1).send(NOTICE)
