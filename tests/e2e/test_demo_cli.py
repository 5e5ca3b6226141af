"""``guildcard demo`` as a newcomer runs it: it seeds, prints URLs and logins, and serves them.

(Refusing a second seeding and ``--no-serve`` are checked in tests/integration/test_demo.py.)

The printed logins work against the running server: the cashier signs in with the printed
password, and the printed member signs in with the printed one-time code and has points.
"""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from tests.support.server import GUILDCARD, free_port, server_env

pytestmark = pytest.mark.slow

TINY = ["--members", "12", "--months", "2", "--visits", "2", "--last-day", "2026-11-22"]


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def wait_healthy(base_url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"demo exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"the demo server did not come up:\n{log.read_text()}")


def test_demo_seeds_prints_logins_and_serves_them(tmp_path: Path) -> None:
    env = server_env(tmp_path)
    port = free_port()
    log = tmp_path / "demo.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [GUILDCARD, "demo", "--reset", *TINY, "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, process, log)
        printed = log.read_text(encoding="utf-8")
        for path in (
            "/m/jingan-demo/login",
            "/counter",
            "/merchant",
            "/ops",
            "/staff/login",
            "/ops/login",
            "/docs",
        ):
            assert f"{base}{path}" in printed
        password = re.search(r"hotpot\.cashier1\s+│\s+(Demo-\S+)", printed).group(1)
        member = re.search(r"member \(phone \+ one-time code\)\s+│\s+(\d{11})\s+│\s+(\d{6})", printed)
        assert member, printed

        login = httpx.post(
            f"{base}/api/v1/auth/login",
            json={"alliance": "jingan-demo", "login": "hotpot.cashier1", "password": password},
        )
        assert login.status_code == 200, login.text
        alliance_id = login.json()["actor"]["alliance_id"]

        phone, code = member.groups()
        sent = httpx.post(
            f"{base}/api/v1/alliances/{alliance_id}/otp", json={"phone": phone, "purpose": "login"}
        )
        assert sent.status_code == 202, sent.text
        signed = httpx.post(
            f"{base}/api/v1/alliances/{alliance_id}/members/session", json={"phone": phone, "code": code}
        )
        assert signed.status_code == 201, signed.text
        card = httpx.get(f"{base}/api/v1/me/member-code", headers=auth(signed.json()["token"]))
        assert card.status_code == 200, card.text

        # The cashier scans that code: the member has points from the seeded months.
        store_id = login.json()["actor"]["store_ids"][0]
        preview = httpx.post(
            f"{base}/api/v1/counter/previews",
            json={"store_id": store_id, "member_code": card.json()["digits"], "order_no": "E2E-1",
                  "amount_fen": 10000, "points_to_use": None},
            headers=auth(login.json()["token"]),
        )  # fmt: skip
        assert preview.status_code == 200, preview.text
        assert preview.json()["balance"] > 0
    finally:
        process.terminate()
        process.wait(timeout=15)
