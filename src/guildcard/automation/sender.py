"""Sending a signed webhook message over HTTP (the port, and its httpx adapter)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol

import httpx


@dataclass(frozen=True)
class Response:
    status_code: int | None  # None: no answer (refused, timed out)
    error: str | None
    duration_ms: int


class WebhookTransport(Protocol):
    def post(self, url: str, *, body: str, headers: dict[str, str]) -> Response: ...


class HttpTransport:
    """httpx with a short timeout; redirects are not followed (an endpoint answers itself)."""

    def __init__(self, *, timeout: float = 10.0) -> None:
        self._client = httpx.Client(
            timeout=timeout, follow_redirects=False, headers={"user-agent": "GuildCard-Webhooks/1"}
        )

    def post(self, url: str, *, body: str, headers: dict[str, str]) -> Response:
        started = time.perf_counter()
        try:
            answer = self._client.post(url, content=body.encode(), headers=headers)
        except httpx.HTTPError as exc:
            return Response(None, f"{type(exc).__name__}: {exc}"[:300], _ms(started))
        return Response(answer.status_code, None, _ms(started))

    def close(self) -> None:
        self._client.close()


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)
