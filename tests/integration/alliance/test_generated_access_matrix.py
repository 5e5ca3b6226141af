"""The access matrix, generated from the application's route table: it grows with every new route.

Every API and page route × every role (four operator roles, owner, manager, cashier, POS key,
member) × objects of another alliance, another merchant and another store (ids harvested from a
seeded pair of alliances). A route missing from tests/route_access.py fails the first test with
the line to add. API attempts on foreign objects must never answer 2xx (nor 5xx); pages, which
answer refusals with a notice, must never show anything of the foreign object; lists must show
nothing of another alliance (or, to staff, of another merchant).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from fastapi.routing import APIRoute
from tests.integration.alliance.foreign_objects import (
    AllianceObjects,
    StoreObjects,
    alliance_objects,
    consenting_member,
    store_objects,
)
from tests.integration.alliance.test_access_matrix import sign_up_member
from tests.integration.alliance.world import AllianceWorld, MerchantWorld, auth
from tests.route_access import PUBLIC, ROUTES

from guildcard.api.auth import SESSION_COOKIE, csrf_token_for

OPERATORS = ("admin", "reviewer", "finance", "viewer")
STAFF_ROLES = ("owner", "manager", "cashier", "pos")
STORE_BOUND = ("cashier", "pos")
SEEDED = {"order_no", "backfill_id", "campaign_id", "coupon_id", "item_id", "subscription_id"}  # real objects
ID_FIELDS = ("store_id", "merchant_id", "member_id", "store")  # body, form and query fields carrying ids


def flat_routes(routes: list[Any], prefix: str = "") -> list[tuple[str, str, bool]]:
    """(method, path, is_api) of every route, through included routers."""
    found = []
    for route in routes:
        if isinstance(route, APIRoute):
            path = route.path if route.path.startswith(prefix) else prefix + route.path
            found += [(m, path, route.include_in_schema) for m in sorted(route.methods)]
        elif hasattr(route, "original_router"):
            found += flat_routes(route.original_router.routes, prefix + route.include_context.prefix)
    return found


@dataclass(frozen=True)
class Target:
    """The ids of one foreign object set: another alliance's, merchant's or store's."""

    kind: str  # other_alliance, other_merchant, other_store
    world: AllianceWorld
    merchant: MerchantWorld
    store: str
    at_store: StoreObjects | None = None  # a purchase and a backfill of this store (seeded)
    owned: AllianceObjects | None = None  # campaign, coupon, mall item, subscription (seeded)

    def params(self) -> dict[str, str]:
        return self._made_up() | self._seeded()

    def _seeded(self) -> dict[str, str]:
        found = {}
        if self.at_store is not None:
            found |= {"order_no": self.at_store.order_no, "backfill_id": self.at_store.backfill_id}
        if self.owned is not None:
            o = self.owned
            found |= {"campaign_id": o.campaign_id, "coupon_id": o.coupon_id, "item_id": o.item_id,
                      "subscription_id": o.subscription_id}  # fmt: skip
        return found

    def _made_up(self) -> dict[str, str]:
        m, w = self.merchant, self.world
        return {
            "merchant_id": m.id, "store_id": self.store, "store": self.store,
            "staff_id": m.staff_ids["cashier"],
            "key_id": m.pos_key_id, "application_id": w.pending_application, "entry_id": w.audit_entry,
            "alliance_id": w.id, "alliance": w.id, "alliance_ref": w.id, "operator_id": "opr_none",
            "flag_id": "dup_none", "backfill_id": "bf_none", "campaign_id": "cmp_none", "order_no": "MX-1",
            "member_id": "mem_none", "period": "2026-10", "period_key": "2026-10", "component": "issue",
            "kind": "marketing", "request_id": "wrf_none", "decision": "approve", "batch_id": "tcb_none",
            "item_id": "mit_none", "order_id": "mor_none", "picture_id": "pic_none",
            "coupon_id": "cpn_none", "code": "NONE0000", "invitee_id": "mem_none",
            "subscription_id": "whs_none", "delivery_id": "whd_none",
            "upload_id": "upl_none", "pair_id": "mpr_none", "merge_id": "mrg_none",
            "rule_id": "aut_none", "message_id": "msg_none", "preset": "welcome",
        }  # fmt: skip


def fill(path: str, values: dict[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in values, f"path parameter {{{name}}} of {path}: add it to Target.params in {__file__}"
        return values[name]

    return re.sub(r"\{(\w+)\}", one, path)


def body_for(spec: dict[str, Any], method: str, path: str, values: dict[str, str]) -> Any:
    """The operation's documented example with every id field pointed at the target."""
    op = spec["paths"].get(path, {}).get(method.lower(), {})
    content = op.get("requestBody", {}).get("content", {}).get("application/json")
    if content is None:
        return None
    schema = content.get("schema", {})
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    example = (schema.get("examples") or [{}])[0]

    def point(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: values[k] if k in ID_FIELDS and k in values else point(v) for k, v in value.items()}
        if isinstance(value, list):
            return [point(v) for v in value]
        return value

    return point(example) or {k: values[k] for k in ID_FIELDS if k in values}


class Matrix:
    def __init__(self, api: Any) -> None:
        self.api = api
        self.a, self.b = api.world("mx-a"), api.world("mx-b")
        self.member = sign_up_member(api, self.a.id, "13955556666")
        a_phone = consenting_member(api, self.a.id, "13955556666", self.member)
        b_member = sign_up_member(api, self.b.id, "13977778888")
        b_phone = consenting_member(api, self.b.id, "13977778888", b_member)
        b0, a0, a1 = self.b.merchants[0], self.a.merchants[0], self.a.merchants[1]
        self.foreign = {
            "other_alliance": Target(
                "other_alliance", self.b, b0, b0.store_a, store_objects(api, b0, b0.store_a, b_phone),
                alliance_objects(api, self.b, b0, b_member),
            ),
            "other_merchant": Target(
                "other_merchant", self.a, a1, a1.store_a, store_objects(api, a1, a1.store_a, a_phone),
                alliance_objects(api, self.a, a1, self.member),
            ),
            "other_store": Target(
                "other_store", self.a, a0, a0.store_b, store_objects(api, a0, a0.store_b, a_phone)
            ),
        }  # fmt: skip
        own = self.a.merchants[0]
        self.tokens = {role: self.a.operators[role] for role in OPERATORS}
        self.tokens |= {"owner": own.owner, "manager": own.manager, "cashier": own.cashier, "pos": own.pos}
        self.tokens["member"] = self.member
        self.names = {m.id: self._name(w, m) for w in (self.a, self.b) for m in w.merchants}
        self.spec = api.client.get("/openapi.json").json()
        self.secret = api.container.settings.secret("secret_key")

    def _name(self, w: AllianceWorld, m: MerchantWorld) -> str:
        r = self.api.client.get(f"/api/v1/merchants/{m.id}", headers=auth(w.operators["admin"]))
        return str(r.json()["name"])

    def targets_for(self, role: str, obj: str) -> list[Target]:
        found = [self.foreign["other_alliance"]]
        if role in STAFF_ROLES or (role == "member" and obj is not None):
            found.append(self.foreign["other_merchant"])
        if role in STORE_BOUND and obj == "store":
            found.append(self.foreign["other_store"])
        return found

    def foreign_names(self, role: str, target: Target | None) -> list[str]:
        """What ``role`` must not see: another alliance's merchants; to staff, another merchant too
        (members see every merchant of their own alliance; another store's merchant is one's own)."""
        names = [self.names[m.id] for m in self.b.merchants]
        if role in STAFF_ROLES:
            names.append(self.names[self.a.merchants[1].id])
        return sorted(set(names))

    def send(self, role: str, method: str, path: str, is_api: bool, values: dict[str, str]) -> Any:
        token = self.tokens[role]
        url = fill(path, values)
        query = {k: values[k] for k in ID_FIELDS if k in values}
        if is_api:
            body = body_for(self.spec, method, path, values) if method in {"POST", "PUT", "PATCH"} else None
            headers = auth(token) | {"Idempotency-Key": f"mx-{role}-{method}-{url}"[:120]}
            return self.api.client.request(method, url, params=query, json=body, headers=headers)
        headers = {"Cookie": f"{SESSION_COOKIE}={token}"}
        if method == "GET":
            return self.api.client.get(url, params=query, headers=headers, follow_redirects=False)
        form = query | {"store_ids": values["store_id"], "csrf_token": csrf_token_for(self.secret, token)}
        return self.api.client.post(url, data=form, headers=headers, follow_redirects=False)


def test_every_route_of_the_application_is_classified(api):
    routes = flat_routes(api.client.app.routes)
    unknown = [f'    "{m} {p}": (AUDIENCE, OBJECT),' for m, p, _ in routes if f"{m} {p}" not in ROUTES]
    assert unknown == [], (
        f"{len(unknown)} route(s) are not in the access matrix. Classify each with one line in "
        "tests/route_access.py (ROUTES; AUDIENCE is PUBLIC, MEMBER, STAFF, OPERATOR or SIGNED_IN; OBJECT is "
        'None, "alliance", "merchant" or "store" — see that file\'s docstring):\n' + "\n".join(unknown)
    )
    gone = sorted(set(ROUTES) - {f"{m} {p}" for m, p, _ in routes})
    assert gone == [], f"tests/route_access.py classifies routes that no longer exist: {gone}"


def test_no_role_reaches_a_foreign_object_through_any_route(api, record_property):
    mx = Matrix(api)
    routes = flat_routes(api.client.app.routes)
    attempts, api_2xx, statuses, failures = 0, 0, Counter(), []
    for method, path, is_api in routes:
        audience, obj = ROUTES[f"{method} {path}"]
        if audience == PUBLIC:
            continue
        for role in mx.tokens:
            if obj is None and not SEEDED.intersection(re.findall(r"\{(\w+)\}", path)):
                if method != "GET":
                    continue  # own-scope writes (log out, erase, settings) are tested where they live
                r = mx.send(role, method, path, is_api, Target("own", mx.a, mx.a.merchants[0], "").params())
                attempts += 1
                shown = [n for n in mx.foreign_names(role, None) if n in r.text]
                if shown or r.status_code >= 500:
                    failures.append(f"{role} {method} {path} -> {r.status_code}, shows {shown}")
                continue
            for target in mx.targets_for(role, obj):
                r = mx.send(role, method, path, is_api, target.params())
                attempts += 1
                statuses[r.status_code] += 1
                shown = [n for n in mx.foreign_names(role, target) if n in r.text]
                two_xx = is_api and 200 <= r.status_code < 300 and not _batch_refused(r)
                api_2xx += two_xx
                if two_xx or shown or r.status_code >= 500:
                    failures.append(
                        f"{role} {method} {path} ({target.kind}) -> {r.status_code}, shows {shown}: "
                        + (r.text[:120] if is_api else "(page)")
                    )
    figures = (
        f"attempts={attempts} api_2xx_on_foreign_objects={api_2xx} statuses={dict(sorted(statuses.items()))}"
    )
    print(f"\naccess matrix: {figures}")
    record_property("access_matrix", figures)
    assert failures == [], f"{len(failures)} of {attempts} attempts reached a foreign object:\n" + "\n".join(
        failures
    )
    assert attempts > 800


def _batch_refused(r: Any) -> bool:
    """A batch answers 200 with each purchase refused in its place."""
    try:
        body = r.json()
    except ValueError:
        return False
    results = body.get("results") if isinstance(body, dict) else None
    return bool(results) and all(x.get("outcome") == "failed" for x in results)
