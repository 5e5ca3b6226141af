"""Stories of suspension, contracts, stores, staff, POS keys, sign-in and the audit log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text
from tests.integration.alliance.world import PASSWORD, TERMS, auth

from guildcard.alliance.domain.errors import MerchantSuspended, NoContract


@pytest.fixture
def world(api):
    alliance_id, admin = api.alliance("ops")
    return alliance_id, admin, api.merchant(alliance_id, admin)


def test_a_suspended_merchant_keeps_its_data_but_cannot_earn_or_redeem(api, world):
    alliance_id, admin, m = world
    services = api.container.alliance
    assert services.merchants.require_active_merchant(alliance_id, m.id).is_active
    no_reason = api.client.patch(
        f"/api/v1/merchants/{m.id}", json={"status": "suspended"}, headers=auth(admin)
    )
    assert no_reason.status_code == 422
    r = api.client.patch(
        f"/api/v1/merchants/{m.id}", json={"status": "suspended", "reason": "未结算"}, headers=auth(admin)
    )
    assert r.json()["status"] == "suspended"
    with pytest.raises(MerchantSuspended):
        services.merchants.require_active_merchant(alliance_id, m.id)
    # The owner still signs in and reads the stores.
    assert api.client.get(f"/api/v1/merchants/{m.id}/stores", headers=auth(m.owner)).status_code == 200
    r = api.client.patch(f"/api/v1/merchants/{m.id}", json={"status": "active"}, headers=auth(admin))
    assert r.json()["status"] == "active"
    history = api.client.get(f"/api/v1/merchants/{m.id}/history", headers=auth(admin)).json()
    assert [e["to_status"] for e in history] == ["active", "suspended", "active"]
    assert history[1]["reason"] == "未结算"


def test_contract_terms_keep_their_history_and_respect_the_alliance_limits(api, world):
    alliance_id, admin, m = world
    url = f"/api/v1/merchants/{m.id}/contracts"
    later = {**TERMS, "points_per_yuan": "2", "issue_price_fen_per_point": "0.75"}
    r = api.client.post(url, json={"effective_from": "2026-12-01", "terms": later}, headers=auth(admin))
    assert r.status_code == 201, r.text
    too_much = {**TERMS, "commission_rate": "0.5"}
    r = api.client.post(url, json={"effective_from": "2027-01-01", "terms": too_much}, headers=auth(admin))
    assert r.status_code == 422
    assert r.json()["code"] == "alliance.terms_out_of_limits"
    assert r.json()["field"] == "commission_rate"
    past = api.client.post(url, json={"effective_from": "2026-11-01", "terms": TERMS}, headers=auth(admin))
    assert past.json()["code"] == "alliance.invalid_effective_date"
    same_day = api.client.post(
        url, json={"effective_from": "2026-12-01", "terms": TERMS}, headers=auth(admin)
    )
    assert same_day.status_code == 409
    history = api.client.get(url, headers=auth(m.owner)).json()
    assert [v["terms"]["points_per_yuan"] for v in history] == ["1", "2"]

    contracts = api.container.alliance.contracts
    shanghai_nov_30_late = datetime(2026, 11, 30, 15, 59, tzinfo=UTC)  # 23:59 in Shanghai
    assert contracts.terms_in_force(alliance_id, m.id, shanghai_nov_30_late).points_per_yuan == Decimal(1)
    dec_1 = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)  # 00:00 Dec 1 in Shanghai
    terms = contracts.terms_in_force(alliance_id, m.id, dec_1)
    assert terms.issue_price_fen_per_point == Decimal("0.75")
    assert terms.entry_fee_fen == 100000
    with pytest.raises(NoContract):
        contracts.terms_in_force(alliance_id, m.id, datetime(2026, 1, 1, tzinfo=UTC))
    # Finance may set terms; reviewers and owners may not.
    assert (
        api.client.post(
            url, json={"effective_from": "2027-02-01", "terms": TERMS}, headers=auth(m.owner)
        ).status_code
        == 403
    )


def test_a_cashier_works_only_at_their_stores_and_managers_manage_cashiers_only(api, world):
    _, _, m = world
    me = api.client.get("/api/v1/auth/me", headers=auth(m.cashier)).json()
    assert me["store_ids"] == [m.store_a]
    stores = api.client.get(f"/api/v1/merchants/{m.id}/stores", headers=auth(m.cashier)).json()
    assert [s["id"] for s in stores] == [m.store_a]
    assert api.client.get(f"/api/v1/stores/{m.store_b}", headers=auth(m.cashier)).status_code == 404
    r = api.client.post(
        f"/api/v1/merchants/{m.id}/staff",
        json={"login": "boss2", "display_name": "x", "role": "owner"},
        headers=auth(m.manager),
    )
    assert r.status_code == 403
    r = api.client.post(
        f"/api/v1/merchants/{m.id}/staff",
        json={"login": "nostore", "display_name": "x", "role": "cashier", "store_ids": []},
        headers=auth(m.owner),
    )
    assert r.json()["code"] == "alliance.invalid_store_assignment"
    # Moving the cashier to store B signs them out and changes where they act.
    r = api.client.patch(
        f"/api/v1/staff/{m.staff_ids['cashier']}", json={"store_ids": [m.store_b]}, headers=auth(m.manager)
    )
    assert r.json()["store_ids"] == [m.store_b]
    assert api.client.get("/api/v1/auth/me", headers=auth(m.cashier)).status_code == 401
    last_owner = api.client.patch(
        f"/api/v1/staff/{m.staff_ids['owner']}", json={"role": "manager"}, headers=auth(m.owner)
    )
    assert last_owner.json()["code"] == "alliance.last_owner"


def test_a_pos_key_is_shown_once_stored_hashed_scoped_and_revocable(api, world):
    alliance_id, _, m = world
    api.container.clock.advance(timedelta(minutes=5))
    me = api.client.get("/api/v1/auth/me", headers=auth(m.pos)).json()
    assert me == {
        "kind": "pos",
        "id": m.pos_key_id,
        "alliance_id": alliance_id,
        "role": None,
        "merchant_id": m.id,
        "store_ids": [m.store_a],
    }
    with api.container.database.read() as conn:
        stored = conn.execute(text("SELECT key_hash FROM alliance_pos_keys")).scalar_one()
    assert m.pos.split(".")[-1] not in stored
    listed = api.client.get(f"/api/v1/stores/{m.store_a}/pos-keys", headers=auth(m.owner)).json()
    assert listed[0]["scopes"] == ["counter:write"]
    assert "secret" not in listed[0]
    assert listed[0]["last_used_at"].startswith("2026-11-23T02:05")
    bad_scope = api.client.post(
        f"/api/v1/stores/{m.store_a}/pos-keys", json={"name": "x", "scopes": ["admin"]}, headers=auth(m.owner)
    )
    assert bad_scope.json()["code"] == "alliance.invalid_scope"
    assert api.client.delete(f"/api/v1/pos-keys/{m.pos_key_id}", headers=auth(m.owner)).json()["revoked_at"]
    assert api.client.get("/api/v1/auth/me", headers=auth(m.pos)).status_code == 401


def test_login_attempts_are_rate_limited(api, world):
    alliance_id, _, _ = world
    body = {"alliance": alliance_id, "login": "owner-guess", "password": "wrong password!"}
    statuses = [api.client.post("/api/v1/auth/login", json=body).status_code for _ in range(6)]
    assert statuses == [401] * 5 + [429]
    limited = api.client.post("/api/v1/auth/login", json=body)
    assert limited.json()["code"] == "alliance.too_many_login_attempts"
    assert int(limited.headers["Retry-After"]) >= 1


def test_a_cookie_session_needs_the_csrf_token_for_writes(api, world):
    alliance_id, _, m = world
    owner_login = api.client.get("/api/v1/auth/me", headers=auth(m.owner)).json()
    staff = api.client.get(f"/api/v1/staff/{owner_login['id']}", headers=auth(m.owner)).json()
    r = api.client.post(
        "/api/v1/auth/session", json={"alliance": alliance_id, "login": staff["login"], "password": PASSWORD}
    )
    assert r.status_code == 200
    assert r.json()["token"] is None
    assert "httponly" in r.headers["set-cookie"].lower()
    csrf = r.json()["csrf_token"]
    assert api.client.get(f"/api/v1/stores/{m.store_a}").status_code == 200, "reads need no CSRF token"
    forged = api.client.patch(f"/api/v1/stores/{m.store_a}", json={"name": "改名"})
    assert forged.status_code == 403
    assert forged.json()["code"] == "csrf_failed"
    ok = api.client.patch(
        f"/api/v1/stores/{m.store_a}", json={"name": "改名"}, headers={"X-CSRF-Token": csrf}
    )
    assert ok.status_code == 200
    assert api.client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    api.client.cookies.clear()


def test_the_audit_log_says_who_did_what_to_which_object_and_is_read_only(api, world):
    _alliance_id, admin, m = world
    r = api.client.patch(
        f"/api/v1/stores/{m.store_b}",
        json={"name": "新名"},
        headers={**auth(m.owner), "X-Request-ID": "req-42"},
    )
    assert r.status_code == 200
    entries = api.client.get(
        "/api/v1/audit-log", params={"object_id": m.store_b, "action": "store.update"}, headers=auth(admin)
    ).json()
    assert len(entries) == 1
    entry = entries[0]
    assert entry["actor_kind"] == "staff"
    assert entry["actor_id"] == m.staff_ids["owner"]
    assert (entry["merchant_id"], entry["store_id"], entry["request_id"]) == (m.id, m.store_b, "req-42")
    assert entry["details"] == {"fields": ["name"]}
    own = api.client.get(f"/api/v1/merchants/{m.id}/audit-log", headers=auth(m.owner)).json()
    assert {e["action"] for e in own} >= {"store.create", "staff.create", "pos_key.create", "contract.set"}
    assert all(e["merchant_id"] == m.id for e in own)
    assert api.client.get("/api/v1/audit-log", headers=auth(m.owner)).status_code == 404
    assert api.client.delete(f"/api/v1/audit-log/{entry['id']}", headers=auth(admin)).status_code == 405
    with api.container.database.read() as conn:
        details = conn.execute(text("SELECT details FROM audit_log")).scalars().all()
    assert not any("1381234" in str(d) or "张伟" in str(d) for d in details), "no personal data in the log"


def test_creating_a_store_is_idempotent(api, world):
    _, _, m = world
    body = {"name": "三店", "address": "上海市静安区", "latitude": "31.22", "longitude": "121.45"}
    headers = {**auth(m.owner), "Idempotency-Key": "store-3"}
    first = api.client.post(f"/api/v1/merchants/{m.id}/stores", json=body, headers=headers)
    replay = api.client.post(f"/api/v1/merchants/{m.id}/stores", json=body, headers=headers)
    assert replay.json()["id"] == first.json()["id"]
    assert replay.headers["Idempotent-Replayed"] == "true"
    other = api.client.post(
        f"/api/v1/merchants/{m.id}/stores", json={**body, "name": "四店"}, headers=headers
    )
    assert other.status_code == 409
    assert other.json()["code"] == "idempotency_conflict"
    assert len(api.client.get(f"/api/v1/merchants/{m.id}/stores", headers=auth(m.owner)).json()) == 3


def test_a_refused_sign_in_leaves_an_audit_line_on_the_account_or_the_typed_login(api, world):
    alliance_id, admin, m = world
    owner = api.client.get("/api/v1/auth/me", headers=auth(m.owner)).json()
    login = api.client.get(f"/api/v1/staff/{owner['id']}", headers=auth(m.owner)).json()["login"]
    for typed in (login, "nobody-here"):
        body = {"alliance": alliance_id, "login": typed, "password": "wrong password!"}
        assert api.client.post("/api/v1/auth/login", json=body).status_code == 401
    failed = api.client.get(
        "/api/v1/audit-log", params={"action": "auth.login_failed"}, headers=auth(admin)
    ).json()
    assert {(e["object_type"], e["object_id"]) for e in failed} == {
        ("staff", owner["id"]),
        ("login", "nobody-here"),
    }
    on_owner = next(e for e in failed if e["object_type"] == "staff")
    assert on_owner["merchant_id"] == m.id  # the merchant's owner sees attempts on its staff
    own = api.client.get(f"/api/v1/merchants/{m.id}/audit-log", headers=auth(m.owner)).json()
    assert "auth.login_failed" in {e["action"] for e in own}
