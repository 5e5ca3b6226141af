"""Build alliances, merchants and signed-in actors through the API, as users would."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import count

from fastapi.testclient import TestClient

from guildcard.alliance.domain.credit_code import check_character
from guildcard.alliance.services.passwords import Passwords
from guildcard.api.app import create_app
from guildcard.bootstrap import Container, bootstrap
from guildcard.kernel.clock import FixedClock
from guildcard.settings import Settings

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
PASSWORD = "correct horse battery"
_serial = count(1)


def credit_code(n: int) -> str:
    body = f"9131010{n:06d}ABCD"[:17]
    return body + check_character(body)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def make_client(database) -> tuple[TestClient, Container]:
    container = bootstrap(
        Settings(env="development", database_url=database.url.render_as_string(False)),
        clock=FixedClock(NOW),
        passwords=Passwords.fast_for_tests(),
    )
    return TestClient(create_app(container)), container


def application_body(n: int, **changes: str) -> dict[str, str]:
    body = {
        "business_name": f"蜀香火锅{n}号",
        "category": "dining",
        "credit_code": credit_code(n),
        "legal_representative": "张伟",
        "contact_phone": f"1381234{n:04d}",
        "store_name": f"蜀香火锅{n}号 人民广场店",
        "store_address": "上海市黄浦区南京东路100号",
        "store_latitude": "31.235929",
        "store_longitude": "121.480539",
    }
    body.update(changes)
    return body


@dataclass
class MerchantWorld:
    id: str
    store_a: str
    store_b: str
    owner: str  # bearer tokens
    manager: str
    cashier: str  # works at store_a only
    pos: str  # a POS key of store_a
    pos_key_id: str
    staff_ids: dict[str, str] = field(default_factory=dict)
    contract_id: str = ""
    application_id: str = ""


@dataclass
class AllianceWorld:
    id: str
    operators: dict[str, str]  # role -> bearer token
    merchants: list[MerchantWorld]
    pending_application: str = ""
    audit_entry: str = ""


class Builder:
    def __init__(self, client: TestClient, container: Container) -> None:
        self.client, self.container = client, container

    def login(self, alliance: str, login: str) -> str:
        r = self.client.post(
            "/api/v1/auth/login", json={"alliance": alliance, "login": login, "password": PASSWORD}
        )
        assert r.status_code == 200, r.text
        return r.json()["token"]

    def activate(self, token: str) -> None:
        r = self.client.post("/api/v1/auth/activate", json={"token": token, "password": PASSWORD})
        assert r.status_code == 200, r.text

    def alliance(self, code: str) -> tuple[str, str]:
        """A new alliance; returns (id, admin token) after the admin changes the initial password."""
        assert self.container.alliance is not None
        created = self.container.alliance.alliances.create_alliance(
            code=code, name=f"{code}联盟", city="上海", admin_login=f"admin-{code}"
        )
        r = self.client.post(
            "/api/v1/auth/login",
            json={"alliance": code, "login": f"admin-{code}", "password": created.initial_password},
        )
        token = r.json()["token"]
        r = self.client.post(
            "/api/v1/auth/password",
            json={"current_password": created.initial_password, "new_password": PASSWORD},
            headers=auth(token),
        )
        assert r.status_code == 204, r.text
        return created.alliance.id, self.login(code, f"admin-{code}")

    def operator(self, alliance_id: str, admin: str, role: str) -> str:
        login = f"{role}-{next(_serial)}"
        r = self.client.post(
            "/api/v1/operators",
            json={"login": login, "display_name": role, "role": role},
            headers=auth(admin),
        )
        assert r.status_code == 201, r.text
        self.activate(r.json()["activation_token"])
        return self.login(alliance_id, login)

    def apply(self, alliance_id: str, n: int) -> str:
        r = self.client.post(
            f"/api/v1/alliances/{alliance_id}/merchant-applications", json=application_body(n)
        )
        assert r.status_code == 201, r.text
        return r.json()["application"]["id"]

    def merchant(self, alliance_id: str, admin: str) -> MerchantWorld:
        n = next(_serial)
        application_id = self.apply(alliance_id, n)
        r = self.client.post(
            f"/api/v1/merchant-applications/{application_id}/reviews",
            json={"decision": "approve", "owner_login": f"owner-{n}"},
            headers=auth(admin),
        )
        assert r.status_code == 200, r.text
        approval = r.json()
        merchant_id, store_a = approval["merchant"]["id"], approval["store"]["id"]
        self.activate(approval["owner_activation_token"])
        owner = self.login(alliance_id, f"owner-{n}")
        r = self.client.post(
            f"/api/v1/merchants/{merchant_id}/stores",
            json={"name": "二店", "address": "上海市徐汇区", "latitude": "31.19", "longitude": "121.43"},
            headers=auth(owner),
        )
        assert r.status_code == 201, r.text
        store_b = r.json()["id"]
        tokens, ids = {}, {"owner": approval["owner"]["id"]}
        for role, stores in (("manager", []), ("cashier", [store_a])):
            r = self.client.post(
                f"/api/v1/merchants/{merchant_id}/staff",
                json={"login": f"{role}-{n}", "display_name": role, "role": role, "store_ids": stores},
                headers=auth(owner),
            )
            assert r.status_code == 201, r.text
            ids[role] = r.json()["staff"]["id"]
            self.activate(r.json()["activation_token"])
            tokens[role] = self.login(alliance_id, f"{role}-{n}")
        r = self.client.post(
            f"/api/v1/stores/{store_a}/pos-keys",
            json={"name": "POS", "scopes": ["counter:write"]},
            headers=auth(owner),
        )
        assert r.status_code == 201, r.text
        pos, pos_key_id = r.json()["secret"], r.json()["key"]["id"]
        r = self.client.post(
            f"/api/v1/merchants/{merchant_id}/contracts",
            json={"effective_from": "2026-11-23", "terms": TERMS},
            headers=auth(admin),
        )
        assert r.status_code == 201, r.text
        return MerchantWorld(
            merchant_id,
            store_a,
            store_b,
            owner,
            tokens["manager"],
            tokens["cashier"],
            pos,
            pos_key_id,
            ids,
            r.json()["id"],
            application_id,
        )

    def world(self, code: str) -> AllianceWorld:
        alliance_id, admin = self.alliance(code)
        operators = {"admin": admin}
        for role in ("reviewer", "finance", "viewer"):
            operators[role] = self.operator(alliance_id, admin, role)
        merchants = [self.merchant(alliance_id, admin), self.merchant(alliance_id, admin)]
        pending = self.apply(alliance_id, next(_serial))
        r = self.client.get("/api/v1/audit-log", params={"limit": 1}, headers=auth(admin))
        return AllianceWorld(alliance_id, operators, merchants, pending, r.json()[0]["id"])


TERMS = {
    "points_per_yuan": "1",
    "issue_price_fen_per_point": "0.8",
    "reimbursement_fen_per_point": "0.7",
    "commission_rate": "0.03",
    "member_discount": "0.05",
    "entry_fee_fen": 100000,
}
