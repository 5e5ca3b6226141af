"""Every role against every other tenant's and every other merchant's objects: always refused.

The matrix is a table of (actor, method, url, body); other contexts' endpoints (members, ...)
are added by appending rows. A refusal is 404 (not yours: existence not leaked) or 403 (yours to
see but not to touch) with a problem+json body that names none of the target's data.
"""

from __future__ import annotations

from tests.integration.alliance.world import TERMS, AllianceWorld, MerchantWorld, auth

Row = tuple[str, str, str, str, dict | None]  # (actor label, token, method, url, json body)


def merchant_requests(m: MerchantWorld) -> list[tuple[str, str, dict | None]]:
    """Every read and write on one merchant's objects."""
    store, staff = m.store_a, m.staff_ids["cashier"]
    return [
        ("GET", f"/api/v1/merchants/{m.id}", None),
        ("PATCH", f"/api/v1/merchants/{m.id}", {"status": "suspended", "reason": "matrix"}),
        ("GET", f"/api/v1/merchants/{m.id}/history", None),
        ("GET", f"/api/v1/merchants/{m.id}/stores", None),
        (
            "POST",
            f"/api/v1/merchants/{m.id}/stores",
            {"name": "x", "address": "y", "latitude": "1", "longitude": "2"},
        ),
        ("GET", f"/api/v1/stores/{store}", None),
        ("PATCH", f"/api/v1/stores/{store}", {"name": "taken over"}),
        ("GET", f"/api/v1/merchants/{m.id}/staff", None),
        (
            "POST",
            f"/api/v1/merchants/{m.id}/staff",
            {"login": "intruder", "display_name": "x", "role": "cashier", "store_ids": [store]},
        ),
        ("GET", f"/api/v1/staff/{staff}", None),
        ("PATCH", f"/api/v1/staff/{staff}", {"disabled": True}),
        ("GET", f"/api/v1/stores/{store}/pos-keys", None),
        ("POST", f"/api/v1/stores/{store}/pos-keys", {"name": "x", "scopes": ["counter:write"]}),
        ("GET", f"/api/v1/pos-keys/{m.pos_key_id}", None),
        ("DELETE", f"/api/v1/pos-keys/{m.pos_key_id}", None),
        ("GET", f"/api/v1/merchants/{m.id}/contracts", None),
        ("POST", f"/api/v1/merchants/{m.id}/contracts", {"effective_from": "2026-12-01", "terms": TERMS}),
        ("GET", f"/api/v1/merchants/{m.id}/audit-log", None),
    ]


def alliance_requests(w: AllianceWorld) -> list[tuple[str, str, dict | None]]:
    """The alliance-level objects: applications and audit log lines."""
    p = w.pending_application
    return [
        ("GET", f"/api/v1/merchant-applications/{p}", None),
        ("GET", f"/api/v1/merchant-applications/{p}/history", None),
        ("POST", f"/api/v1/merchant-applications/{p}/reviews", {"decision": "reject", "reason": "matrix"}),
        ("GET", f"/api/v1/audit-log/{w.audit_entry}", None),
        ("GET", f"/api/v1/staff/{w.merchants[0].staff_ids['owner']}", None),
    ]


def actors(w: AllianceWorld) -> dict[str, str]:
    m = w.merchants[0]
    return {
        **{f"operator:{role}": token for role, token in w.operators.items()},
        "owner": m.owner,
        "manager": m.manager,
        "cashier@store_a": m.cashier,
        "pos@store_a": m.pos,
    }


def matrix(a: AllianceWorld, b: AllianceWorld) -> list[Row]:
    rows: list[Row] = []
    merchant_staff = {"owner", "manager", "cashier@store_a", "pos@store_a"}
    for label, token in actors(a).items():
        # Another tenant: nothing, whoever asks.
        for target in b.merchants:
            rows += [(label, token, *req) for req in merchant_requests(target)]
        rows += [(label, token, *req) for req in alliance_requests(b)]
        if label in merchant_staff:
            # Another merchant of the same alliance, and the alliance's own objects.
            rows += [(label, token, *req) for req in merchant_requests(a.merchants[1])]
            rows += [(label, token, *req) for req in alliance_requests(a)[:4]]
    own = a.merchants[0]
    for label in ("cashier@store_a", "pos@store_a"):
        token = actors(a)[label]
        rows += [
            (label, token, "GET", f"/api/v1/stores/{own.store_b}", None),
            (label, token, "PATCH", f"/api/v1/stores/{own.store_b}", {"name": "x"}),
            (label, token, "GET", f"/api/v1/stores/{own.store_b}/pos-keys", None),
            (
                label,
                token,
                "POST",
                f"/api/v1/stores/{own.store_b}/pos-keys",
                {"name": "x", "scopes": ["counter:read"]},
            ),
            (label, token, "GET", f"/api/v1/merchants/{own.id}/staff", None),
            (label, token, "GET", f"/api/v1/merchants/{own.id}/contracts", None),
        ]
    return rows


def test_no_role_reaches_another_tenants_or_another_merchants_objects(api):
    a, b = api.world("alpha"), api.world("beta")
    rows = matrix(a, b)
    secrets = {b.merchants[0].id, b.merchants[1].id, a.merchants[1].id, "张伟", "蜀香"}
    leaks = []
    for label, token, method, url, body in rows:
        r = api.client.request(method, url, json=body, headers=auth(token))
        leaked = [s for s in secrets if s in r.text]
        if not refused(r) or leaked:
            leaks.append(f"{label} {method} {url} -> {r.status_code} {r.text[:120]}")
    assert leaks == [], f"{len(leaks)} of {len(rows)} attempts were not refused:\n" + "\n".join(leaks)
    assert len(rows) > 300
    # The refused writes changed nothing: B's first merchant is still active with its contract.
    r = api.client.get(f"/api/v1/merchants/{b.merchants[0].id}", headers=auth(b.operators["viewer"]))
    assert r.json()["status"] == "active"


def test_each_role_does_reach_its_own_objects(api):
    """The other side of the matrix: the refusals above are not because everything is refused."""
    a = api.world("gamma")
    m = a.merchants[0]
    allowed = [
        (a.operators["viewer"], "GET", f"/api/v1/merchants/{m.id}"),
        (a.operators["reviewer"], "GET", f"/api/v1/merchant-applications/{a.pending_application}"),
        (a.operators["finance"], "GET", f"/api/v1/merchants/{m.id}/contracts"),
        (m.owner, "GET", f"/api/v1/merchants/{m.id}/staff"),
        (m.owner, "GET", f"/api/v1/merchants/{m.id}/audit-log"),
        (m.manager, "GET", f"/api/v1/stores/{m.store_b}/pos-keys"),
        (m.cashier, "GET", f"/api/v1/stores/{m.store_a}"),
        (m.pos, "GET", f"/api/v1/stores/{m.store_a}"),
    ]
    for token, method, url in allowed:
        r = api.client.request(method, url, headers=auth(token))
        assert r.status_code == 200, (method, url, r.text)


def sign_up_member(api, alliance_id: str, phone: str) -> str:
    base = f"/api/v1/alliances/{alliance_id}"
    assert api.client.post(f"{base}/otp", json={"phone": phone, "purpose": "register"}).status_code == 202
    code = api.client.get("/api/v1/dev/outbox", params={"phone": phone}).json()[0]["code"]
    r = api.client.post(
        f"{base}/members/session", json={"phone": phone, "code": code, "accept_terms_version": "2026-11"}
    )
    assert r.status_code == 201, r.text
    return r.json()["token"]


def cross_context_requests(w: AllianceWorld, m: MerchantWorld) -> list[tuple[str, str, dict | None]]:
    """Members, counter and settlement objects of merchant ``m`` of alliance ``w``."""
    purchase = {"store_id": m.store_a, "phone": "13900000001", "order_no": "MX-1", "amount_fen": 100}
    refund = {"store_id": m.store_a, "order_no": "MX-1", "refund_no": "MX-R", "amount_fen": 100}
    return [
        ("GET", f"/api/v1/alliances/{w.id}/member-duplicates", None),
        ("POST", "/api/v1/counter/previews", purchase),
        ("POST", "/api/v1/counter/purchases", purchase),
        ("POST", "/api/v1/counter/purchases:batch", {"purchases": [purchase]}),
        ("POST", "/api/v1/counter/refunds", refund),
        ("GET", f"/api/v1/counter/purchases/MX-1?store_id={m.store_a}", None),
        ("GET", f"/api/v1/settlement/statements/2026-11/{m.id}", None),
        ("GET", f"/api/v1/settlement/statements/2026-11/{m.id}/lines/issue", None),
    ]


def refused(response) -> bool:
    """403/404 with a code; a batch answers 200 with every item refused that way."""
    body = response.json()
    if response.status_code == 200 and "results" in body:
        return all(r["outcome"] == "failed" and r["error"]["status"] in {403, 404} for r in body["results"])
    return response.status_code in {403, 404} and "code" in body


def test_members_and_the_counter_and_settlement_keep_to_their_tenants(api):
    """The same matrix for a member and for the endpoints of members, counter and settlement."""
    a, b = api.world("delta"), api.world("epsilon")
    member_a = sign_up_member(api, a.id, "13911112222")
    sign_up_member(api, b.id, "13933334444")
    rows: list[Row] = []
    # A member reaches no merchant, store, staff, key, contract, application or audit line anywhere.
    for target in (*a.merchants, *b.merchants):
        rows += [("member", member_a, *req) for req in merchant_requests(target)]
        rows += [
            ("member", member_a, *req)
            for req in cross_context_requests(a if target in a.merchants else b, target)
        ]
    rows += [("member", member_a, *req) for req in alliance_requests(a) + alliance_requests(b)]
    # Every role of alliance A against alliance B's members, counter and settlement objects.
    for label, token in actors(a).items():
        for target in b.merchants:
            rows += [(label, token, *req) for req in cross_context_requests(b, target)]
    # Merchant staff of A's first merchant against A's second merchant and A's member review.
    for label in ("owner", "manager", "cashier@store_a", "pos@store_a"):
        token = actors(a)[label]
        rows += [(label, token, *req) for req in cross_context_requests(a, a.merchants[1])]
    secrets = {b.merchants[0].id, b.merchants[1].id, a.merchants[1].id, "13933334444", "139****4444", "蜀香"}
    leaks = []
    for label, token, method, url, body in rows:
        r = api.client.request(method, url, json=body, headers=auth(token))
        leaked = [s for s in secrets if s in r.text]
        if not refused(r) or leaked:
            leaks.append(f"{label} {method} {url} -> {r.status_code} {r.text[:160]}")
    assert leaks == [], f"{len(leaks)} of {len(rows)} attempts were not refused:\n" + "\n".join(leaks)
    assert len(rows) > 100
