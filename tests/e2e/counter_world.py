"""A small coalition built through the real API of a live server, for the counter and merchant browser tests.

Each test gets its own alliance (created with the CLI, as an operator would), so nothing it does
depends on what other browser tests did to the shared live server.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from itertools import count

import httpx
from tests.integration.alliance.world import TERMS, application_body
from tests.support.server import LiveServer, run_cli, seeding_client, server_env

from guildcard.kernel.clock import BUSINESS_TZ

PASSWORD = "correct horse battery"
_serial = count(1000 + secrets.randbelow(8000))  # credit codes unique within the server


@dataclass
class Shop:
    id: str
    store: str
    name: str
    owner_login: str
    cashier_login: str


@dataclass
class Coalition:
    code: str
    id: str
    admin: str  # bearer token
    api: httpx.Client
    shops: list[Shop] = field(default_factory=list)
    admin_password: str = ""  # the operator console's sign-in

    def auth(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    def login(self, login: str, password: str = PASSWORD) -> str:
        r = self.api.post(
            "/api/v1/auth/login", json={"alliance": self.code, "login": login, "password": password}
        )
        assert r.status_code == 200, r.text
        return str(r.json()["token"])

    def activate(self, token: str) -> None:
        r = self.api.post("/api/v1/auth/activate", json={"token": token, "password": PASSWORD})
        assert r.status_code == 200, r.text

    def shop(self, name: str, category: str = "dining") -> Shop:
        n = next(_serial)
        body = application_body(n, business_name=name, store_name=f"{name} 人民广场店", category=category)
        r = self.api.post(f"/api/v1/alliances/{self.id}/merchant-applications", json=body)
        assert r.status_code == 201, r.text
        r = self.api.post(
            f"/api/v1/merchant-applications/{r.json()['application']['id']}/reviews",
            json={"decision": "approve", "owner_login": f"owner-{n}"},
            headers=self.auth(self.admin),
        )
        assert r.status_code == 200, r.text
        approval = r.json()
        merchant_id, store = approval["merchant"]["id"], approval["store"]["id"]
        self.activate(approval["owner_activation_token"])
        owner = self.login(f"owner-{n}")
        r = self.api.post(
            f"/api/v1/merchants/{merchant_id}/staff",
            json={"login": f"cashier-{n}", "display_name": "收银员", "role": "cashier", "store_ids": [store]},
            headers=self.auth(owner),
        )
        assert r.status_code == 201, r.text
        self.activate(r.json()["activation_token"])
        today = datetime.now(BUSINESS_TZ).date().isoformat()
        r = self.api.post(
            f"/api/v1/merchants/{merchant_id}/contracts",
            json={"effective_from": today, "terms": TERMS},
            headers=self.auth(self.admin),
        )
        assert r.status_code == 201, r.text
        shop = Shop(merchant_id, store, name, f"owner-{n}", f"cashier-{n}")
        self.shops.append(shop)
        return shop

    def member(self, phone: str, *, phone_lookup: bool = False) -> str:
        base = f"/api/v1/alliances/{self.id}"
        assert self.api.post(f"{base}/otp", json={"phone": phone, "purpose": "register"}).status_code == 202
        code = self.api.get("/api/v1/dev/outbox", params={"phone": phone}).json()[0]["code"]
        r = self.api.post(
            f"{base}/members/session", json={"phone": phone, "code": code, "accept_terms_version": "2026-11"}
        )
        assert r.status_code == 201, r.text
        token = str(r.json()["token"])
        if phone_lookup:
            r = self.api.put(
                "/api/v1/me/consents/phone_lookup",
                json={"granted": True, "version": "2026-11"},
                headers=self.auth(token),
            )
            assert r.status_code == 200, r.text
        return token

    def member_code(self, member: str) -> str:
        return str(self.api.get("/api/v1/me/member-code", headers=self.auth(member)).json()["digits"])


def coalition(server: LiveServer, code: str) -> Coalition:
    env = server_env(server.log_path.parent)
    created = run_cli(
        "alliance", "create", "--name", f"{code}商圈", "--code", code, "--admin-login", "admin", env=env
    )
    assert created.returncode == 0, created.stderr
    alliance_id = re.search(r"alliance created (\S+)", created.stdout).group(1)
    password = re.search(r"initial password: (\S+)", created.stdout).group(1)
    api = seeding_client(server.base_url, source="127.0.0.62")
    world = Coalition(code, alliance_id, "", api)
    world.admin, world.admin_password = world.login("admin", password), password
    return world
