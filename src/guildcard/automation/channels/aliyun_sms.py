"""Alibaba Cloud SMS (dysmsapi ``SendSms``, version 2017-05-25), signed per its RPC signature v1.

The request's parameters, common ones included and ``Signature`` excluded, are sorted by name,
each name and value percent-encoded (RFC 3986: unreserved characters kept, space as ``%20``),
joined as ``k=v&…``; the string to sign is ``POST&%2F&`` + the encoded query; the signature is
``Base64(HMAC-SHA1(AccessKeySecret + "&", string))``. Its answer carries ``Code`` (``OK``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from urllib.parse import quote

import httpx

from guildcard.automation.channels.port import ChannelRefused, OutgoingMessage, SendReceipt, national_number

ENDPOINT = "https://dysmsapi.aliyuncs.com/"


def percent_encode(text: str) -> str:
    return quote(text, safe="-_.~")


def canonical_query(params: Mapping[str, str]) -> str:
    return "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()))


def signature(params: Mapping[str, str], *, secret: str, method: str = "POST") -> str:
    to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical_query(params))}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class AliyunSms:
    name = "sms"

    def __init__(
        self,
        *,
        access_key_id: str,
        access_key_secret: str,
        sign_name: str,
        endpoint: str = ENDPOINT,
        region: str = "cn-hangzhou",
        timeout: float = 10.0,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._key_id, self._secret, self._sign_name = access_key_id, access_key_secret, sign_name
        self._endpoint, self._region, self._now = endpoint, region, now
        self._client = httpx.Client(timeout=timeout)

    def request_params(self, message: OutgoingMessage) -> dict[str, str]:
        params = {
            "AccessKeyId": self._key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "PhoneNumbers": national_number(message.to),
            "RegionId": self._region,
            "SignName": self._sign_name,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "TemplateCode": message.template,
            "TemplateParam": json.dumps(dict(message.params), ensure_ascii=False, separators=(",", ":")),
            "Timestamp": self._now().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
        }
        return params | {"Signature": signature(params, secret=self._secret)}

    def send(self, message: OutgoingMessage) -> SendReceipt:
        try:
            answer = self._client.post(self._endpoint, data=self.request_params(message))
            body = answer.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise ChannelRefused(f"aliyun: {type(exc).__name__}") from exc
        if body.get("Code") != "OK":
            raise ChannelRefused(f"aliyun: {body.get('Code')}: {body.get('Message')}")
        return SendReceipt("sms", str(body.get("BizId", "")))
