"""Stories of merchant onboarding (入驻) and review, through the API."""

from __future__ import annotations

from sqlalchemy import text
from tests.integration.alliance.world import PASSWORD, application_body, auth, credit_code


def test_a_merchant_applies_is_asked_for_changes_revises_and_is_approved(api):
    alliance_id, admin = api.alliance("story")
    reviewer = api.operator(alliance_id, admin, "reviewer")
    r = api.client.post("/api/v1/alliances/story/merchant-applications", json=application_body(501))
    assert r.status_code == 201, r.text
    submitted = r.json()
    application_id, applicant_token = submitted["application"]["id"], submitted["applicant_token"]
    assert submitted["application"]["status"] == "submitted"
    assert submitted["application"]["contact_phone_masked"] == "138****0501"
    with api.container.database.read() as conn:
        stored = conn.execute(text("SELECT contact_phone_enc FROM alliance_applications")).scalar_one()
    assert "0501" not in stored, "the phone is stored encrypted"

    r = api.client.post(
        f"/api/v1/merchant-applications/{application_id}/reviews",
        json={"decision": "request_changes", "reason": "地址不完整"},
        headers=auth(reviewer),
    )
    assert r.json()["application"]["status"] == "changes_requested"
    r = api.client.put(
        f"/api/v1/alliances/{alliance_id}/merchant-applications/{application_id}",
        json=application_body(501, store_address="上海市黄浦区南京东路100号1楼"),
        headers={"X-Applicant-Token": applicant_token},
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "submitted"
    wrong = api.client.put(
        f"/api/v1/alliances/{alliance_id}/merchant-applications/{application_id}",
        json=application_body(501),
        headers={"X-Applicant-Token": alliance_id + ".not-the-token-at-all-000000"},
    )
    assert wrong.status_code == 404

    r = api.client.post(
        f"/api/v1/merchant-applications/{application_id}/reviews",
        json={"decision": "approve", "owner_login": "shuxiang"},
        headers=auth(reviewer),
    )
    approval = r.json()
    assert approval["merchant"]["status"] == "active"
    assert approval["store"]["address"] == "上海市黄浦区南京东路100号1楼"
    assert approval["owner"]["role"] == "owner"
    assert approval["owner"]["activated"] is False
    api.activate(approval["owner_activation_token"])
    owner = api.login(alliance_id, "shuxiang")
    assert (
        api.client.get("/api/v1/auth/me", headers=auth(owner)).json()["merchant_id"]
        == approval["merchant"]["id"]
    )
    again = api.client.post(
        "/api/v1/auth/activate", json={"token": approval["owner_activation_token"], "password": PASSWORD}
    )
    assert again.status_code == 401, "an activation token works once"

    history = api.client.get(
        f"/api/v1/merchant-applications/{application_id}/history", headers=auth(admin)
    ).json()
    assert [(e["from_status"], e["to_status"]) for e in history] == [
        (None, "submitted"),
        ("submitted", "changes_requested"),
        ("changes_requested", "submitted"),
        ("submitted", "approved"),
    ]
    assert history[-1]["actor_kind"] == "operator"
    assert history[-1]["at"].startswith("2026-11-23")
    again = api.client.post(
        f"/api/v1/merchant-applications/{application_id}/reviews",
        json={"decision": "reject", "reason": "x"},
        headers=auth(reviewer),
    )
    assert again.status_code == 422
    assert again.json()["code"] == "alliance.invalid_transition"


def test_bad_applications_get_clear_errors_with_stable_codes(api):
    alliance_id, _ = api.alliance("errors")
    url = f"/api/v1/alliances/{alliance_id}/merchant-applications"
    good = credit_code(777)
    corrupted = good[:-1] + ("0" if good[-1] != "0" else "1")
    cases = [
        ({"credit_code": corrupted}, "alliance.invalid_credit_code"),
        ({"credit_code": "123"}, "alliance.invalid_credit_code"),
        ({"category": "casino"}, "alliance.unknown_trade_category"),
        ({"contact_phone": "12345"}, "invalid_phone"),
        ({"store_latitude": "95"}, "alliance.invalid_coordinates"),
        ({"business_name": "  "}, "invalid_input"),
    ]
    for change, code in cases:
        r = api.client.post(url, json=application_body(777, **change))
        assert r.status_code == 422, (change, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["code"] == code, change
    assert api.client.post(url, json=application_body(777)).status_code == 201
    dup = api.client.post(url, json=application_body(778, credit_code=good.lower()))
    assert dup.status_code == 409
    assert dup.json()["code"] == "alliance.duplicate_credit_code"
    other = api.alliance("elsewhere")[0]
    assert (
        api.client.post(
            f"/api/v1/alliances/{other}/merchant-applications", json=application_body(777)
        ).status_code
        == 201
    )
    assert (
        api.client.post(
            "/api/v1/alliances/nowhere/merchant-applications", json=application_body(1)
        ).status_code
        == 404
    )


def test_a_rejection_needs_a_reason_and_frees_the_credit_code(api):
    alliance_id, admin = api.alliance("reject")
    application_id = api.apply(alliance_id, 901)
    url = f"/api/v1/merchant-applications/{application_id}/reviews"
    no_reason = api.client.post(url, json={"decision": "reject"}, headers=auth(admin))
    assert no_reason.status_code == 422
    r = api.client.post(url, json={"decision": "reject", "reason": "业态不符"}, headers=auth(admin))
    assert r.json()["application"]["status"] == "rejected"
    assert r.json()["application"]["reason"] == "业态不符"
    assert api.apply(alliance_id, 901)


def test_only_admins_and_reviewers_review(api):
    alliance_id, admin = api.alliance("roles")
    application_id = api.apply(alliance_id, 902)
    for role in ("finance", "viewer"):
        token = api.operator(alliance_id, admin, role)
        r = api.client.post(
            f"/api/v1/merchant-applications/{application_id}/reviews",
            json={"decision": "approve"},
            headers=auth(token),
        )
        assert r.status_code == 403, role


def test_applications_are_rate_limited_per_address(api):
    alliance_id, _ = api.alliance("flood")
    statuses = [
        api.client.post(
            f"/api/v1/alliances/{alliance_id}/merchant-applications", json=application_body(950 + i)
        ).status_code
        for i in range(11)
    ]
    assert statuses[:10] == [201] * 10
    assert statuses[10] == 429


def test_approval_is_idempotent(api):
    alliance_id, admin = api.alliance("idem")
    application_id = api.apply(alliance_id, 903)
    url = f"/api/v1/merchant-applications/{application_id}/reviews"
    headers = {**auth(admin), "Idempotency-Key": "approve-903"}
    first = api.client.post(url, json={"decision": "approve"}, headers=headers)
    replay = api.client.post(url, json={"decision": "approve"}, headers=headers)
    assert replay.status_code == 200
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json()["merchant"]["id"] == first.json()["merchant"]["id"]
    assert first.json()["owner_activation_token"]
    assert replay.json()["owner_activation_token"] is None
    conflict = api.client.post(url, json={"decision": "reject", "reason": "x"}, headers=headers)
    assert conflict.status_code == 409
    assert conflict.json()["code"] == "idempotency_conflict"
    assert len(api.client.get("/api/v1/merchants", headers=auth(admin)).json()) == 1
