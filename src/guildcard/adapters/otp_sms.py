"""One-time codes by SMS: the members context's ``CodeSender`` on an automation SMS channel."""

from __future__ import annotations

import logging

from guildcard.automation.channels import aliyun_sms, tencent_sms
from guildcard.automation.channels.aliyun_sms import AliyunSms
from guildcard.automation.channels.port import Channel, ChannelRefused, OutgoingMessage
from guildcard.automation.channels.tencent_sms import TencentSms
from guildcard.kernel.errors import InsecureSettings
from guildcard.members.ports import CodeSender, OutgoingCode
from guildcard.members.senders import SmsUnavailable
from guildcard.privacy.phones import mask_phone
from guildcard.settings import Settings

log = logging.getLogger("guildcard.members.codes")


class SmsCodeSender:
    def __init__(self, channel: Channel, *, template: str) -> None:
        self.channel, self.template = channel, template

    def send(self, message: OutgoingCode) -> None:
        try:
            self.channel.send(OutgoingMessage(message.phone, self.template, {"code": message.code}))
        except ChannelRefused as refused:
            log.warning("code to %s not sent: %s", mask_phone(message.phone), refused.reason)
            raise SmsUnavailable() from refused


def sms_channel(settings: Settings) -> Channel | None:
    """The configured provider's SMS channel, or None when no provider is configured."""
    if settings.sms_provider is None:
        return None
    secret = settings.sms_access_key_secret.get_secret_value() if settings.sms_access_key_secret else ""
    if not (settings.sms_access_key_id and secret and settings.sms_sign_name):
        raise InsecureSettings("GUILDCARD_SMS_ACCESS_KEY_ID, _ACCESS_KEY_SECRET and _SIGN_NAME are required")
    if settings.sms_provider == "aliyun":
        return AliyunSms(
            access_key_id=settings.sms_access_key_id, access_key_secret=secret,
            sign_name=settings.sms_sign_name, endpoint=settings.sms_endpoint or aliyun_sms.ENDPOINT,
        )  # fmt: skip
    if not settings.sms_app_id:
        raise InsecureSettings("GUILDCARD_SMS_APP_ID (SmsSdkAppId) is required for Tencent Cloud SMS")
    return TencentSms(
        secret_id=settings.sms_access_key_id, secret_key=secret, app_id=settings.sms_app_id,
        sign_name=settings.sms_sign_name, endpoint=settings.sms_endpoint or tencent_sms.ENDPOINT,
    )  # fmt: skip


def sms_code_sender(settings: Settings) -> CodeSender | None:
    channel = sms_channel(settings)
    if channel is None:
        return None
    if not settings.sms_otp_template:
        raise InsecureSettings("GUILDCARD_SMS_OTP_TEMPLATE is required to send one-time codes by SMS")
    return SmsCodeSender(channel, template=settings.sms_otp_template)
