"""Tencent Cloud SMS (``SendSms``, API 3.0, version 2021-01-11), signed per TC3-HMAC-SHA256.

Canonical request: ``POST\\n/\\n\\n`` + the signed headers (``content-type``, ``host``) as
``name:value\\n`` + ``\\ncontent-type;host\\n`` + hex SHA-256 of the JSON body. String to sign:
``TC3-HMAC-SHA256\\n{timestamp}\\n{date}/sms/tc3_request\\n`` + hex SHA-256 of the canonical request.
Key: HMAC-SHA256 chained from ``"TC3" + SecretKey`` over the UTC date, ``sms``, ``tc3_request``.
Its answer is ``{"Response": {"SendStatusSet": [{"Code": "Ok", "SerialNo": …}]}}`` or an ``Error``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx

from guildcard.automation.channels.port import ChannelRefused, OutgoingMessage, SendReceipt

ENDPOINT = "https://sms.tencentcloudapi.com/"
SERVICE, VERSION, ALGORITHM = "sms", "2021-01-11", "TC3-HMAC-SHA256"
CONTENT_TYPE = "application/json; charset=utf-8"


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def authorization(*, secret_id: str, secret_key: str, host: str, body: str, timestamp: int) -> str:
    day = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    canonical = "\n".join([
        "POST", "/", "", f"content-type:{CONTENT_TYPE}\nhost:{host}\n", "content-type;host",
        hashlib.sha256(body.encode()).hexdigest(),
    ])  # fmt: skip
    scope = f"{day}/{SERVICE}/tc3_request"
    to_sign = f"{ALGORITHM}\n{timestamp}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    key = _hmac(_hmac(_hmac(f"TC3{secret_key}".encode(), day), SERVICE), "tc3_request")
    signed = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return f"{ALGORITHM} Credential={secret_id}/{scope}, SignedHeaders=content-type;host, Signature={signed}"


class TencentSms:
    name = "sms"

    def __init__(
        self,
        *,
        secret_id: str,
        secret_key: str,
        app_id: str,
        sign_name: str,
        endpoint: str = ENDPOINT,
        region: str = "ap-guangzhou",
        timeout: float = 10.0,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._id, self._key, self._app_id, self._sign_name = secret_id, secret_key, app_id, sign_name
        self._endpoint, self._region, self._now = endpoint, region, now
        self._host = urlsplit(endpoint).netloc
        self._client = httpx.Client(timeout=timeout)

    def request(self, message: OutgoingMessage) -> tuple[str, dict[str, str]]:
        body = json.dumps({
            "PhoneNumberSet": [message.to], "SmsSdkAppId": self._app_id, "SignName": self._sign_name,
            "TemplateId": message.template, "TemplateParamSet": list(message.params.values()),
        }, ensure_ascii=False, separators=(",", ":"))  # fmt: skip
        timestamp = int(self._now().timestamp())
        headers = {
            "Authorization": authorization(
                secret_id=self._id, secret_key=self._key, host=self._host, body=body, timestamp=timestamp
            ),
            "Content-Type": CONTENT_TYPE,
            "Host": self._host,
            "X-TC-Action": "SendSms",
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Version": VERSION,
            "X-TC-Region": self._region,
        }
        return body, headers

    def send(self, message: OutgoingMessage) -> SendReceipt:
        body, headers = self.request(message)
        try:
            answer = self._client.post(self._endpoint, content=body.encode(), headers=headers)
            response = answer.json().get("Response", {})
        except (httpx.HTTPError, ValueError) as exc:
            raise ChannelRefused(f"tencent: {type(exc).__name__}") from exc
        if "Error" in response:
            error = response["Error"]
            raise ChannelRefused(f"tencent: {error.get('Code')}: {error.get('Message')}")
        [status, *_] = response.get("SendStatusSet") or [{}]
        if status.get("Code") != "Ok":
            raise ChannelRefused(f"tencent: {status.get('Code')}: {status.get('Message')}")
        return SendReceipt("sms", str(status.get("SerialNo", "")))
