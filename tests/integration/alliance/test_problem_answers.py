"""Every error is problem+json from the app, with a request id: bad input is refused at the edge
(a NUL in the address, a term that is no number, a text the database cannot hold), and an
exception nobody expected still answers a clean 500 that names the request."""

from __future__ import annotations

import logging

from tests.integration.alliance.world import TERMS, auth

PROBLEM = "application/problem+json"


def _problem(r, status: int, code: str) -> None:
    assert (r.status_code, r.headers["content-type"]) == (status, PROBLEM), r.text
    body = r.json()
    assert body["code"] == code
    assert body["request_id"]
    assert body["request_id"] == r.headers["x-request-id"]


def test_a_nul_in_a_path_or_query_is_invalid_input(api):
    w = api.world("nul")
    token, store = w.operators["admin"], w.merchants[0].store_a
    for url in (
        f"/api/v1/counter/purchases/%00?store_id={store}",
        "/api/v1/counter/purchases/HP-1?store_id=%00",
        "/api/v1/merchants/mer%00x",
        "/api/v1/stores/%01",
    ):
        _problem(api.client.get(url, headers=auth(token)), 422, "invalid_input")


def test_a_term_that_is_no_number_is_refused_before_anything_else(api):
    mine, theirs = api.world("terms-a"), api.world("terms-b")
    body = {"effective_from": "2026-12-01", "terms": TERMS | {"points_per_yuan": "abc"}}
    for merchant in (mine.merchants[0].id, theirs.merchants[0].id):
        r = api.client.post(
            f"/api/v1/merchants/{merchant}/contracts", json=body, headers=auth(mine.operators["admin"])
        )
        _problem(r, 422, "invalid_input")
        for token in (mine.operators["viewer"], mine.merchants[0].cashier):  # no contract.write: 403 first
            r = api.client.post(f"/api/v1/merchants/{merchant}/contracts", json=body, headers=auth(token))
            _problem(r, 403, "permission_denied")
    for bad in ("NaN", "Infinity", "1e400", "-1", " 1"):
        body = {"effective_from": "2026-12-01", "terms": TERMS | {"commission_rate": bad}}
        r = api.client.post(
            f"/api/v1/merchants/{mine.merchants[0].id}/contracts",
            json=body,
            headers=auth(mine.operators["admin"]),
        )
        _problem(r, 422, "invalid_input")


def test_a_text_with_a_nul_is_refused_or_kept_never_a_500(api):
    m = api.world("nul-body").merchants[0]
    r = api.client.patch(f"/api/v1/stores/{m.store_a}", json={"name": "店\u0000名"}, headers=auth(m.owner))
    if r.status_code != 200:  # PostgreSQL cannot hold a NUL in text; SQLite can
        _problem(r, 422, "invalid_input")


def test_an_unexpected_exception_answers_problem_json_with_the_request_id(api, caplog):
    app = api.client.app

    @app.get("/api/v1/_boom", include_in_schema=False)
    def boom() -> None:
        raise RuntimeError("a bug")

    with caplog.at_level(logging.ERROR):
        r = api.client.get("/api/v1/_boom", headers={"X-Request-ID": "req-boom-1"})
    _problem(r, 500, "internal_error")
    assert r.json()["request_id"] == "req-boom-1"
    assert "a bug" not in r.text
    assert any("unhandled error" in rec.message for rec in caplog.records)
