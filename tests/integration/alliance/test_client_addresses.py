"""Per-address limits count the real client: forwarded headers only from GUILDCARD_TRUSTED_PROXIES.

The application as ``guildcard serve`` runs it (uvicorn's config from ``uvicorn_options``, which
wraps the app in uvicorn's proxy-header handling as configured), reached from 127.0.0.1: 30
one-time-code requests for 30 phones, each claiming another X-Forwarded-For, are 30 requests from
one address (20 allowed an hour) unless 127.0.0.1 is a trusted proxy.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
import uvicorn

from guildcard.cli.serve import uvicorn_options
from guildcard.settings import Settings


def _statuses(app, alliance_id: str, settings: Settings) -> list[int]:
    options = uvicorn_options(settings, "127.0.0.1", 8000, 1)
    config = uvicorn.Config(app, **options)
    config.load()  # what uvicorn does before serving: the app wrapped as configured

    async def run() -> list[int]:
        transport = httpx.ASGITransport(app=config.loaded_app, client=("127.0.0.1", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return [
                (
                    await client.post(
                        f"/api/v1/alliances/{alliance_id}/otp",
                        json={"phone": f"1390000{i:04d}", "purpose": "register"},
                        headers={"X-Forwarded-For": f"203.0.113.{i + 1}"},
                    )
                ).status_code
                for i in range(30)
            ]

    return asyncio.run(run())


@pytest.mark.parametrize(("trusted", "allowed"), [("", 20), ("127.0.0.1", 30)])
def test_forwarded_addresses_count_only_behind_a_trusted_proxy(api, trusted, allowed):
    alliance_id, _admin = api.alliance(f"xff{len(trusted)}")
    statuses = _statuses(api.client.app, alliance_id, Settings(trusted_proxies=trusted))
    assert (statuses.count(202), statuses.count(429)) == (allowed, 30 - allowed), statuses
