"""The counter API as a POS integrator meets it: JSON over HTTP, problem+json errors, replays."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from guildcard.api.app import create_app
from guildcard.cli.bench_counter import demo_container, issue_tokens
from guildcard.counter.adapters.demo import HOTPOT_STORE
from guildcard.kernel.clock import FixedClock

NOW = datetime(2026, 3, 4, 4, 0, tzinfo=UTC)


@pytest.fixture
def api(tmp_path, _sqlite_template):
    path = tmp_path / "api.db"
    shutil.copy(_sqlite_template, path)
    container, demo = demo_container(f"sqlite:///{path}", clock=FixedClock(NOW), members=5)
    tokens = issue_tokens(container, demo)
    client = TestClient(create_app(container), raise_server_exceptions=False)
    yield client, tokens, demo
    container.close()


def auth(tokens, actor="stf_hotpot_cashier"):
    return {"Authorization": f"Bearer {tokens[actor]}"}


def purchase(order_no="HP-1", amount_fen=20000, points=0, code="demo-code-000000"):
    return {
        "store_id": HOTPOT_STORE, "member_code": code, "order_no": order_no, "amount_fen": amount_fen,
        "points_to_use": points,
    }  # fmt: skip


def test_a_cashier_previews_commits_and_a_retry_replays(api):
    client, tokens, _ = api
    preview = client.post("/api/v1/counter/previews", json=purchase(), headers=auth(tokens))
    assert preview.status_code == 200, preview.text
    assert (preview.json()["cash_fen"], preview.json()["points_earned"]) == (19000, 190)
    body = purchase() | {"preview_token": preview.json()["preview_token"]}
    first = client.post("/api/v1/counter/purchases", json=body, headers=auth(tokens))
    assert first.status_code == 201, first.text
    again = client.post("/api/v1/counter/purchases", json=body, headers=auth(tokens))
    assert again.status_code == 200
    assert again.json()["replayed"] is True
    assert again.json()["purchase_id"] == first.json()["purchase_id"]
    conflict = client.post("/api/v1/counter/purchases", json=purchase(amount_fen=1), headers=auth(tokens))
    assert (conflict.status_code, conflict.json()["code"]) == (409, "counter.order_conflict")
    got = client.get(
        "/api/v1/counter/purchases/HP-1", params={"store_id": HOTPOT_STORE}, headers=auth(tokens)
    )
    assert got.json()["points_earned"] == 190


def test_errors_are_clear_and_stable(api):
    client, tokens, _ = api
    cases = [
        (purchase(amount_fen=0), 422, "counter.invalid_amount"),
        (purchase(amount_fen=10**15), 422, "counter.invalid_amount"),
        (purchase(code="nope"), 422, "members.code_invalid"),
        (purchase(points=10**6), 422, "counter.points_exceed_balance"),
        (purchase() | {"store_id": "st_cinema_1"}, 404, "counter.store_not_found"),
    ]
    for body, status, code in cases:
        response = client.post("/api/v1/counter/purchases", json=body, headers=auth(tokens))
        assert (response.status_code, response.json()["code"]) == (status, code), body
        assert response.headers["content-type"] == "application/problem+json"
    client.post("/api/v1/counter/purchases", json=purchase(), headers=auth(tokens))
    refund = {"store_id": HOTPOT_STORE, "order_no": "HP-1", "refund_no": "RF-1", "amount_fen": 19001}
    response = client.post("/api/v1/counter/refunds", json=refund, headers=auth(tokens))
    assert (response.status_code, response.json()["code"]) == (422, "counter.refund_exceeds_paid")
    unauthenticated = client.post("/api/v1/counter/purchases", json=purchase())
    assert unauthenticated.status_code == 401


def test_refund_backfill_and_adjustment_over_http(api):
    client, tokens, _ = api
    client.post("/api/v1/counter/purchases", json=purchase(), headers=auth(tokens))
    refund = {"store_id": HOTPOT_STORE, "order_no": "HP-1", "refund_no": "RF-1", "amount_fen": 9500}
    response = client.post("/api/v1/counter/refunds", json=refund, headers=auth(tokens))
    assert (response.status_code, response.json()["points_clawed_back"]) == (201, 95)
    backfill = {
        "store_id": HOTPOT_STORE, "phone": "13800000000", "receipt_no": "R-1", "amount_fen": 80000,
        "purchased_at": (NOW - timedelta(days=2)).isoformat(),
    }  # fmt: skip
    waiting = client.post("/api/v1/counter/backfills", json=backfill, headers=auth(tokens)).json()
    assert waiting["status"] == "needs_approval"
    url = f"/api/v1/counter/backfills/{waiting['backfill_id']}/approve"
    assert client.post(url, json={}, headers=auth(tokens)).status_code == 403
    approved = client.post(url, json={"note": "receipt checked"}, headers=auth(tokens, "stf_hotpot_owner"))
    assert approved.json()["purchase"]["points_earned"] == 760
    adjustment = {"member_id": "mem_000000", "points": 50, "reason": "card reader down"}
    headers = auth(tokens, "op_finance") | {"Idempotency-Key": "adj-1"}
    assert client.post("/api/v1/counter/adjustments", json=adjustment, headers=headers).status_code == 201
    assert (
        client.post("/api/v1/counter/adjustments", json=adjustment, headers=headers).json()["replayed"]
        is True
    )
    refused = client.post(
        "/api/v1/counter/adjustments", json=adjustment, headers=auth(tokens) | {"Idempotency-Key": "x"}
    )
    assert refused.status_code == 403


def test_the_openapi_document_has_examples_for_the_counter(api):
    client, _, _ = api
    spec = client.get("/openapi.json").json()
    schema = spec["components"]["schemas"]["PurchaseCreate"]
    assert schema["examples"][0]["order_no"] == "HP-20260302-0042"
    assert "/api/v1/counter/refunds" in spec["paths"]
