"""A fake WeChat official-account API on 127.0.0.1: issues access tokens for one app id and
secret, answers template sends as the published API does (errcode 0 with a msgid; 40001 for an
unknown token, 40037 for an unknown template, 40003 for an unknown openid)."""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.support.local_http import answer_json, serving

APP_ID, APP_SECRET = "wx0123456789abcdef", "wechat-test-secret"
TEMPLATE, OPENID = "tmpl_points_notice", "o6_bmjrPTlm6_2sgVt7hMZOPfL2M"


@dataclass
class FakeWeChat:
    url: str = ""
    tokens: set[str] = field(default_factory=set)
    sent: list[dict[str, Any]] = field(default_factory=list)
    token_requests: int = 0

    def revoke_tokens(self) -> None:
        self.tokens.clear()


@contextmanager
def fake_wechat() -> Iterator[FakeWeChat]:
    fake = FakeWeChat()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, body: dict[str, Any]) -> None:
            answer_json(self, body)

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = dict(parse_qsl(url.query))
            with lock:
                fake.token_requests += 1
                if url.path != "/cgi-bin/token" or query.get("grant_type") != "client_credential":
                    return self._answer({"errcode": 40002, "errmsg": "invalid grant_type"})
                if (query.get("appid"), query.get("secret")) != (APP_ID, APP_SECRET):
                    return self._answer({"errcode": 40125, "errmsg": "invalid appsecret"})
                token = secrets.token_urlsafe(16)
                fake.tokens.add(token)
            return self._answer({"access_token": token, "expires_in": 7200})

        def do_POST(self) -> None:
            url = urlsplit(self.path)
            token = dict(parse_qsl(url.query)).get("access_token")
            body = json.loads(self.rfile.read(int(self.headers.get("content-length", "0"))))
            with lock:
                if url.path != "/cgi-bin/message/template/send":
                    return self._answer({"errcode": 404, "errmsg": "not found"})
                if token not in fake.tokens:
                    return self._answer({"errcode": 40001, "errmsg": "invalid credential"})
                if body.get("template_id") != TEMPLATE:
                    return self._answer({"errcode": 40037, "errmsg": "invalid template_id"})
                if body.get("touser") != OPENID:
                    return self._answer({"errcode": 40003, "errmsg": "invalid openid"})
                if not all(isinstance(v, dict) and "value" in v for v in body.get("data", {}).values()):
                    return self._answer({"errcode": 47001, "errmsg": "data format error"})
                fake.sent.append(body)
                msgid = 200228332 + len(fake.sent)
            return self._answer({"errcode": 0, "errmsg": "ok", "msgid": msgid})

        def log_message(self, *_args: object) -> None:
            return

    with serving(Handler) as url:
        fake.url = url
        yield fake
