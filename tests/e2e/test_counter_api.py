"""The counter API as a POS integrator meets it: JSON over HTTP, problem+json errors, replays.

On the real bootstrap (no fakes): the bench alliance seeded through the services, real sessions and
POS keys, members identified by their rotating member code or by the phone they agreed to share.
"""

from __future__ import annotations

import threading
import traceback
from datetime import timedelta

import pytest
from sqlalchemy import event
from tests.support.seeded_counter import NOW, auth, seeded_counter

from guildcard.ledger.domain.policy import NegativePolicy

PURCHASES = "/api/v1/counter/purchases"


@pytest.fixture
def counter(tmp_path, _sqlite_template):
    seeded = seeded_counter(_sqlite_template, tmp_path / "api.db")
    yield seeded
    seeded.close()


def purchase(store_id, code, order_no="HP-1", amount_fen=20000, points=0):
    return {
        "store_id": store_id, "member_code": code, "order_no": order_no, "amount_fen": amount_fen,
        "points_to_use": points,
    }  # fmt: skip


def test_a_cashier_previews_commits_and_a_retry_replays(counter):
    client, hotpot = counter.client, counter.alliance.hotpot
    cashier, store = auth(hotpot.sessions["cashier"]), hotpot.store_ids[0]
    body = purchase(store, counter.code())
    preview = client.post("/api/v1/counter/previews", json=body, headers=cashier)
    assert preview.status_code == 200, preview.text
    assert (preview.json()["cash_fen"], preview.json()["points_earned"]) == (19000, 190)
    body |= {"preview_token": preview.json()["preview_token"]}
    first = client.post(PURCHASES, json=body, headers=cashier)
    assert first.status_code == 201, first.text
    again = client.post(PURCHASES, json=body, headers=cashier)
    assert again.status_code == 200
    assert again.json()["replayed"] is True
    assert again.json()["purchase_id"] == first.json()["purchase_id"]
    conflict = client.post(PURCHASES, json=purchase(store, counter.code(), amount_fen=1), headers=cashier)
    assert (conflict.status_code, conflict.json()["code"]) == (409, "counter.order_conflict")
    got = client.get("/api/v1/counter/purchases/HP-1", params={"store_id": store}, headers=cashier)
    assert got.json()["points_earned"] == 190
    # The code was used up by the purchase: scanned again it is refused (the phone already shows the next).
    assert counter.code() != body["member_code"]
    used = client.post(PURCHASES, json=purchase(store, body["member_code"], "HP-2"), headers=cashier)
    assert (used.status_code, used.json()["code"]) == (409, "members.code_already_used")


def test_a_pos_key_records_a_purchase_by_phone_paying_part_with_points(counter):
    client, cinema, alliance = counter.client, counter.alliance.cinema, counter.alliance
    body = {
        "store_id": cinema.store_ids[0], "phone": alliance.phones[1], "order_no": "CN-1", "amount_fen": 10000,
        "points_to_use": 1000,
    }  # fmt: skip
    receipt = client.post(PURCHASES, json=body, headers=auth(cinema.pos_key))
    assert receipt.status_code == 201, receipt.text
    # 2 points per yuan of the ¥90 paid in cash
    assert (receipt.json()["points_used"], receipt.json()["points_earned"]) == (1000, 180)
    balance = counter.container.ledger().queries(alliance.id).balance(alliance.member_ids[1])
    assert balance.available == alliance.opening_points - 1000 + 180
    elsewhere = body | {"store_id": alliance.hotpot.store_ids[0], "order_no": "CN-2"}
    refused = client.post(PURCHASES, json=elsewhere, headers=auth(cinema.pos_key))
    assert (refused.status_code, refused.json()["code"]) == (404, "counter.store_not_found")


def test_errors_are_clear_and_stable(counter):
    client, alliance = counter.client, counter.alliance
    cashier, store = auth(alliance.hotpot.sessions["cashier"]), alliance.hotpot.store_ids[0]
    cases = [
        (purchase(store, counter.code(), amount_fen=0), 422, "counter.invalid_amount"),
        (purchase(store, counter.code(), amount_fen=10**15), 422, "counter.invalid_amount"),
        (purchase(store, "nope"), 422, "members.code_invalid"),
        (purchase(store, counter.code(), points=10**6), 422, "counter.points_exceed_balance"),
        (purchase(alliance.cinema.store_ids[0], counter.code()), 404, "counter.store_not_found"),
    ]
    for body, status, code in cases:
        response = client.post(PURCHASES, json=body, headers=cashier)
        assert (response.status_code, response.json()["code"]) == (status, code), body
        assert response.headers["content-type"] == "application/problem+json"
    assert client.post(PURCHASES, json=purchase(store, counter.code()), headers=cashier).is_success
    refund = {"store_id": store, "order_no": "HP-1", "refund_no": "RF-1", "amount_fen": 19001}
    response = client.post("/api/v1/counter/refunds", json=refund, headers=cashier)
    assert (response.status_code, response.json()["code"]) == (422, "counter.refund_exceeds_paid")
    unauthenticated = client.post(PURCHASES, json=purchase(store, counter.code(1)))
    assert unauthenticated.status_code == 401


def test_refund_backfill_and_adjustment_over_http(counter):
    client, alliance = counter.client, counter.alliance
    hotpot = alliance.hotpot
    cashier, store = auth(hotpot.sessions["cashier"]), hotpot.store_ids[0]
    assert client.post(PURCHASES, json=purchase(store, counter.code()), headers=cashier).is_success
    refund = {"store_id": store, "order_no": "HP-1", "refund_no": "RF-1", "amount_fen": 9500}
    response = client.post("/api/v1/counter/refunds", json=refund, headers=cashier)
    assert (response.status_code, response.json()["points_clawed_back"]) == (201, 95)
    reused = client.post("/api/v1/counter/refunds", json=refund | {"amount_fen": 100}, headers=cashier)
    assert (reused.status_code, reused.json()["code"]) == (409, "counter.refund_conflict")  # as orders do
    backfill = {
        "store_id": store, "phone": alliance.phones[0], "receipt_no": "R-1", "amount_fen": 80000,
        "purchased_at": (NOW - timedelta(hours=2)).isoformat(),
    }  # fmt: skip
    waiting = client.post("/api/v1/counter/backfills", json=backfill, headers=cashier).json()
    assert waiting["status"] == "needs_approval", waiting
    url = f"/api/v1/counter/backfills/{waiting['backfill_id']}/approve"
    assert client.post(url, json={}, headers=cashier).status_code == 403
    approved = client.post(url, json={"note": "receipt checked"}, headers=auth(hotpot.sessions["owner"]))
    assert approved.json()["purchase"]["points_earned"] == 760
    adjustment = {"member_id": alliance.member_ids[0], "points": 50, "reason": "card reader down"}
    headers = auth(alliance.admin) | {"Idempotency-Key": "adj-1"}
    assert client.post("/api/v1/counter/adjustments", json=adjustment, headers=headers).status_code == 201
    assert (
        client.post("/api/v1/counter/adjustments", json=adjustment, headers=headers).json()["replayed"]
        is True
    )
    refused = client.post(
        "/api/v1/counter/adjustments", json=adjustment, headers=cashier | {"Idempotency-Key": "x"}
    )
    assert refused.status_code == 403
    assert counter.container.ledger().verify(alliance.id) == {alliance.id: []}


def test_a_store_bound_actor_neither_reads_nor_refunds_another_stores_purchase(counter):
    """Order numbers are unique per merchant: naming its own store does not reach store B's order."""
    client, hotpot = counter.client, counter.alliance.hotpot
    owner, store_a, store_b = auth(hotpot.sessions["owner"]), hotpot.store_ids[0], hotpot.store_ids[1]
    assert client.post(PURCHASES, json=purchase(store_b, counter.code(), "HP-B1"), headers=owner).is_success
    for actor in (auth(hotpot.sessions["cashier"]), auth(hotpot.pos_key)):  # both bound to store A
        got = client.get(f"{PURCHASES}/HP-B1", params={"store_id": store_a}, headers=actor)
        assert (got.status_code, got.json()["code"]) == (404, "counter.purchase_not_found")
        refund = {"store_id": store_a, "order_no": "HP-B1", "refund_no": "RF-B1", "amount_fen": 100}
        refused = client.post("/api/v1/counter/refunds", json=refund, headers=actor)
        assert (refused.status_code, refused.json()["code"]) == (404, "counter.purchase_not_found")
    # The owner reaches every store of the merchant; nothing was refunded.
    got = client.get(f"{PURCHASES}/HP-B1", params={"store_id": store_a}, headers=owner)
    assert (got.status_code, got.json()["refunded_fen"]) == (200, 0)


def test_the_openapi_document_has_examples_for_the_counter(counter):
    spec = counter.client.get("/openapi.json").json()
    schema = spec["components"]["schemas"]["PurchaseCreate"]
    assert schema["examples"][0]["order_no"] == "HP-20260302-0042"
    assert "/api/v1/counter/refunds" in spec["paths"]
    assert "/api/v1/counter/purchases:batch" in spec["paths"]


def test_no_request_holds_two_pooled_connections_at_once(counter):
    """Under contention a request holding one connection while waiting for a second starves the pool
    (40 concurrent purchases hung on PostgreSQL): every request here takes one at a time."""
    engine, held, nested = counter.container.database.engine, threading.local(), []

    def checkout(*_args):
        held.n = getattr(held, "n", 0) + 1
        if held.n > 1:
            nested.append("".join(traceback.format_stack(limit=12)))

    def checkin(*_args):
        held.n = max(0, getattr(held, "n", 0) - 1)

    event.listen(engine, "checkout", checkout)
    event.listen(engine, "checkin", checkin)
    client, hotpot = counter.client, counter.alliance.hotpot
    store = hotpot.store_ids[0]
    for n, who in enumerate((auth(hotpot.pos_key), auth(hotpot.sessions["cashier"]))):
        counter.container.actor_cache.clear()  # authenticate afresh, as the first request of a key does
        bought = client.post(PURCHASES, json=purchase(store, counter.code(n), f"TWO-{n}"), headers=who)
        assert bought.is_success, bought.text
        refund = {"store_id": store, "order_no": f"TWO-{n}", "refund_no": f"TWO-R{n}", "amount_fen": 100}
        assert client.post("/api/v1/counter/refunds", json=refund, headers=who).is_success
        assert client.get(f"{PURCHASES}/TWO-{n}", params={"store_id": store}, headers=who).is_success
    assert nested == [], nested[0]


def test_a_till_reads_todays_lines_and_the_shift_summary_of_its_store(counter):
    client, hotpot = counter.client, counter.alliance.hotpot
    cashier, store_a, store_b = auth(hotpot.sessions["cashier"]), hotpot.store_ids[0], hotpot.store_ids[1]
    assert client.post(PURCHASES, json=purchase(store_a, counter.code(), "DAY-1"), headers=cashier).is_success
    refund = {"store_id": store_a, "order_no": "DAY-1", "refund_no": "DAY-1-R", "amount_fen": 5000}
    assert client.post("/api/v1/counter/refunds", json=refund, headers=cashier).is_success
    day = client.get(f"/api/v1/counter/stores/{store_a}/day", headers=cashier)
    assert day.status_code == 200, day.text
    body = day.json()
    assert [(line["kind"], line["number"]) for line in body["lines"]] == [
        ("purchase", "DAY-1"), ("refund", "DAY-1-R")
    ]  # fmt: skip
    assert (body["summary"]["purchases"], body["summary"]["sales_fen"]) == (1, 19000)
    assert (body["summary"]["refunded_fen"], body["net_sales_fen"]) == (5000, 14000)
    later = client.get(
        f"/api/v1/counter/stores/{store_a}/day", params={"since": body["until"]}, headers=cashier
    )
    assert later.json()["lines"] == []  # a shift that starts now has nothing yet
    other = client.get(f"/api/v1/counter/stores/{store_b}/day", headers=cashier)  # not the cashier's store
    assert (other.status_code, other.json()["code"]) == (403, "counter.forbidden")


def test_a_pos_key_s_refund_of_spent_points_answers_202_with_a_request_the_owner_approves(counter):
    client, alliance = counter.client, counter.alliance
    hotpot, store = alliance.hotpot, alliance.hotpot.store_ids[0]
    key, owner = auth(hotpot.pos_key), auth(hotpot.sessions["owner"])
    counter.container.ledger().update_policies(alliance.id, negative=NegativePolicy.allow_negative(500))
    assert client.post(PURCHASES, json=purchase(store, counter.code()), headers=key).is_success  # +190
    # The member spends all but 50 points elsewhere (here: taken back by hand).
    balance = counter.container.ledger().queries(alliance.id).balance(alliance.member_ids[0]).available
    adjustment = {"member_id": alliance.member_ids[0], "points": 50 - balance, "reason": "spent elsewhere"}
    headers = auth(alliance.admin) | {"Idempotency-Key": "adj-spent"}
    assert client.post("/api/v1/counter/adjustments", json=adjustment, headers=headers).status_code == 201

    refund = {"store_id": store, "order_no": "HP-1", "refund_no": "RF-1", "amount_fen": 19000}
    asked = client.post("/api/v1/counter/refunds", json=refund, headers=key)
    assert asked.status_code == 202, asked.text
    request = asked.json()
    assert (request["status"], request["shortfall_points"]) == ("pending", 140)  # 190 to take, 50 left
    again = client.post("/api/v1/counter/refunds", json=refund, headers=key)
    assert (again.status_code, again.json()["request_id"]) == (202, request["request_id"])
    url = f"/api/v1/counter/refund-requests/{request['request_id']}"
    assert client.get(url, headers=key).json()["status"] == "pending"
    queue = client.get("/api/v1/counter/refund-requests", headers=owner).json()["requests"]
    assert [r["request_id"] for r in queue] == [request["request_id"]]
    assert client.post(f"{url}/approve", json={}, headers=key).status_code == 403
    approved = client.post(f"{url}/approve", json={"settle_as": "below_zero"}, headers=owner)
    assert approved.status_code == 200, approved.text
    assert approved.json()["refund"]["points_clawed_back"] == 190
    done = client.post("/api/v1/counter/refunds", json=refund, headers=key)
    assert (done.status_code, done.json()["replayed"], done.json()["points_clawed_back"]) == (200, True, 190)
    assert counter.container.ledger().verify(alliance.id) == {alliance.id: []}
