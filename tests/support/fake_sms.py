"""Fake SMS providers on 127.0.0.1 that check each request's signature the way the real ones do.

The checks are written here from the providers' published specs, separately from the adapters,
so an adapter that signs wrongly is refused exactly as Alibaba Cloud or Tencent Cloud would.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, quote_plus

from tests.support.local_http import answer_json, serving

KEY_ID, KEY_SECRET = "LTAI-test-key", "test-secret-do-not-use"
APP_ID = "1400000001"


@dataclass(frozen=True)
class Sms:
    phone: str
    template: str
    params: Any


@dataclass
class FakeProvider:
    url: str = ""
    sent: list[Sms] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # why each refused request was refused


def _aliyun_encode(text: str) -> str:
    # The spec's recipe: URL-encode as a form (UTF-8), then "+" -> "%20", "*" -> "%2A", "%7E" -> "~".
    return quote_plus(text, safe="").replace("+", "%20").replace("*", "%2A").replace("%7E", "~")


def aliyun_check(form: dict[str, str], seen_nonces: set[str]) -> str | None:
    """None when the request is well signed, else the error code the provider would answer."""
    given = form.pop("Signature", "")
    if form.get("AccessKeyId") != KEY_ID:
        return "InvalidAccessKeyId.NotFound"
    query = "&".join(f"{_aliyun_encode(k)}={_aliyun_encode(v)}" for k, v in sorted(form.items()))
    string_to_sign = "POST&" + _aliyun_encode("/") + "&" + _aliyun_encode(query)
    expected = base64.b64encode(
        hmac.new((KEY_SECRET + "&").encode(), string_to_sign.encode(), hashlib.sha1).digest()
    ).decode()
    if not hmac.compare_digest(expected, given):
        return "SignatureDoesNotMatch"
    stamp = datetime.strptime(form["Timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    if abs((datetime.now(UTC) - stamp).total_seconds()) > 900:
        return "InvalidTimeStamp.Expired"
    if form["SignatureNonce"] in seen_nonces:
        return "SignatureNonceUsed"
    seen_nonces.add(form["SignatureNonce"])
    return None


def tencent_check(headers: dict[str, str], body: bytes) -> str | None:
    auth = headers.get("authorization", "")
    try:
        algorithm, rest = auth.split(" ", 1)
        parts = dict(p.strip().split("=", 1) for p in rest.split(","))
        secret_id, day, service, terminator = parts["Credential"].split("/")
    except ValueError:
        return "AuthFailure.InvalidAuthorization"
    if algorithm != "TC3-HMAC-SHA256" or secret_id != KEY_ID or terminator != "tc3_request":
        return "AuthFailure.SecretIdNotFound"
    timestamp = int(headers.get("x-tc-timestamp", "0"))
    if (
        abs(time.time() - timestamp) > 300
        or datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d") != day
    ):
        return "AuthFailure.SignatureExpire"
    signed = parts["SignedHeaders"].split(";")
    canonical_headers = "".join(f"{h}:{headers[h].strip().lower() if h == 'content-type' else headers[h]}\n"
                                for h in signed)  # fmt: skip
    canonical_request = (
        f"POST\n/\n\n{canonical_headers}\n{parts['SignedHeaders']}\n{hashlib.sha256(body).hexdigest()}"
    )
    scope = f"{day}/{service}/tc3_request"
    string_to_sign = (
        f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{hashlib.sha256(canonical_request.encode()).hexdigest()}"
    )

    def sign(key: bytes, msg: str) -> bytes:
        return hmac.new(key, msg.encode(), hashlib.sha256).digest()

    key = sign(sign(sign(("TC3" + KEY_SECRET).encode(), day), service), "tc3_request")
    expected = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    return None if hmac.compare_digest(expected, parts["Signature"]) else "AuthFailure.SignatureFailure"


@contextmanager
def fake_sms(provider: str) -> Iterator[FakeProvider]:
    fake = FakeProvider()
    nonces: set[str] = set()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("content-length", "0")))
            headers = {k.lower(): v for k, v in self.headers.items()}
            with lock:
                answer = self._aliyun(raw) if provider == "aliyun" else self._tencent(headers, raw)
            answer_json(self, answer)

        def _aliyun(self, raw: bytes) -> dict[str, Any]:
            form = dict(parse_qsl(raw.decode(), keep_blank_values=True))
            problem = aliyun_check(dict(form), nonces)
            if problem:
                fake.refused.append(problem)
                return {"Code": problem, "Message": "refused by the fake"}
            fake.sent.append(
                Sms(form["PhoneNumbers"], form["TemplateCode"], json.loads(form["TemplateParam"]))
            )
            return {"Code": "OK", "Message": "OK", "BizId": f"biz{len(fake.sent)}", "RequestId": "r1"}

        def _tencent(self, headers: dict[str, str], raw: bytes) -> dict[str, Any]:
            problem = tencent_check(headers, raw)
            if problem:
                fake.refused.append(problem)
                return {"Response": {"Error": {"Code": problem, "Message": "refused"}, "RequestId": "r1"}}
            body = json.loads(raw)
            if body.get("SmsSdkAppId") != APP_ID:
                fake.refused.append("InvalidParameterValue.SdkAppIdNotExist")
                return {"Response": {"Error": {"Code": "InvalidParameterValue.SdkAppIdNotExist"}}}
            [phone] = body["PhoneNumberSet"]
            fake.sent.append(Sms(phone, body["TemplateId"], body["TemplateParamSet"]))
            status = {
                "SerialNo": f"sn{len(fake.sent)}",
                "PhoneNumber": phone,
                "Code": "Ok",
                "Message": "send success",
            }
            return {"Response": {"SendStatusSet": [status], "RequestId": "r1"}}

        def log_message(self, *_args: object) -> None:
            return

    with serving(Handler) as url:
        fake.url = url + "/"
        yield fake
