"""WeChat official account (公众号) template messages, behind the same channel port as SMS.

The API's shape: an access token from ``GET /cgi-bin/token?grant_type=client_credential&appid=
&secret=`` (``{"access_token", "expires_in"}``, about 7200 s; kept until a minute before it
ends), then ``POST /cgi-bin/message/template/send?access_token=`` with ``{"touser": openid,
"template_id", "url"?, "data": {"keyword1": {"value": …}, …}}``; the answer carries ``errcode``
(0: sent, with ``msgid``). An expired or revoked token (40001, 40014, 42001) is fetched again
once. ``OutgoingMessage.to`` is the member's openid; ``params`` are the template's keywords.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from guildcard.automation.channels.port import ChannelRefused, OutgoingMessage, SendReceipt

ENDPOINT = "https://api.weixin.qq.com"
STALE_TOKEN = {40001, 40014, 42001}  # invalid credential, invalid token, token expired


class WeChatTemplates:
    name = "wechat"

    def __init__(
        self, *, app_id: str, app_secret: str, endpoint: str = ENDPOINT, timeout: float = 10.0,
        link: str | None = None, clock: Callable[[], float] = time.monotonic,
    ) -> None:  # fmt: skip
        self._app_id, self._secret, self._endpoint = app_id, app_secret, endpoint.rstrip("/")
        self._link, self._clock = link, clock
        self._client = httpx.Client(timeout=timeout)
        self._token: tuple[str, float] | None = None  # the token and when to stop using it
        self._lock = threading.Lock()

    def _call(self, method: str, path: str, **kw: Any) -> dict[str, Any]:
        try:
            answer = self._client.request(method, self._endpoint + path, **kw)
            body = answer.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise ChannelRefused(f"wechat: {type(exc).__name__}") from exc
        return body if isinstance(body, dict) else {}

    def access_token(self, *, fresh: bool = False) -> str:
        with self._lock:
            if self._token and not fresh and self._clock() < self._token[1]:
                return self._token[0]
            got = self._call(
                "GET", "/cgi-bin/token",
                params={"grant_type": "client_credential", "appid": self._app_id, "secret": self._secret},
            )  # fmt: skip
            if not got.get("access_token"):
                raise ChannelRefused(f"wechat: token: {got.get('errcode')}: {got.get('errmsg')}")
            lifetime = float(got.get("expires_in", 7200))
            self._token = (str(got["access_token"]), self._clock() + max(lifetime - 60, 0))
            return self._token[0]

    def body(self, message: OutgoingMessage) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "touser": message.to, "template_id": message.template,
            "data": {k: {"value": v} for k, v in message.params.items()},
        }  # fmt: skip
        if self._link:
            payload["url"] = self._link
        return payload

    def send(self, message: OutgoingMessage) -> SendReceipt:
        answer: dict[str, Any] = {}
        for fresh in (False, True):
            token = self.access_token(fresh=fresh)
            answer = self._call(
                "POST",
                "/cgi-bin/message/template/send",
                params={"access_token": token},
                json=self.body(message),
            )
            if answer.get("errcode") not in STALE_TOKEN:
                break
        if answer.get("errcode") != 0:
            raise ChannelRefused(f"wechat: {answer.get('errcode')}: {answer.get('errmsg')}")
        return SendReceipt("wechat", str(answer.get("msgid", "")))
