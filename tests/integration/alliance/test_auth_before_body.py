"""A malformed body is judged only after the caller is: a stranger learns nothing of the schema.

Every API operation that needs a credential is sent a body that is no JSON and a body of the
wrong shape: without a credential, or with an unknown one, the answer is 401 (never a 422 that
names the fields); a cookie session without its CSRF token gets 403; a caller the route accepts
gets the 422 with the fields.
"""

from __future__ import annotations

import re

from fastapi.routing import APIRoute
from tests.integration.alliance.world import auth

from guildcard.api.auth import SESSION_COOKIE
from guildcard.api.auth_first import needs_actor

BAD_BODIES = (b"{not json", b"[1, 2, 3]", b'{"amount_fen": "many"}')


def _guarded_operations(routes, prefix: str = "") -> list[tuple[str, str]]:
    found = []
    for route in routes:
        if hasattr(route, "original_router"):
            found += _guarded_operations(route.original_router.routes, prefix + route.include_context.prefix)
        elif isinstance(route, APIRoute) and needs_actor(route.dependant):
            path = re.sub(
                r"\{\w+\}", "x1", route.path if route.path.startswith(prefix) else prefix + route.path
            )
            if path.startswith("/api/"):
                found += [(m, path) for m in sorted(route.methods) if m in {"POST", "PUT", "PATCH"}]
    return found


def test_every_guarded_operation_answers_401_before_judging_the_body(api):
    operations = _guarded_operations(api.client.app.routes)
    assert len(operations) > 30
    answered = []
    for method, path in operations:
        for body in BAD_BODIES:
            for headers in ({}, auth("no-such-token")):
                r = api.client.request(
                    method, path, content=body, headers=headers | {"Content-Type": "application/json"}
                )
                answered.append((method, path, r.status_code))
                assert r.status_code == 401, (method, path, body, r.text)
                assert r.headers["content-type"] == "application/problem+json"
                assert "errors" not in r.json(), r.text  # no field named to a stranger
    assert len(answered) == 6 * len(operations)


def test_a_cookie_session_without_its_csrf_token_is_refused_before_the_body(api):
    w = api.world("auth-first")
    owner = w.merchants[0].owner
    path = f"/api/v1/stores/{w.merchants[0].store_b}"
    r = api.client.patch(
        path,
        content=b"{not json",
        headers={"Cookie": f"{SESSION_COOKIE}={owner}", "Content-Type": "application/json"},
    )
    assert (r.status_code, r.json()["code"]) == (403, "csrf_failed"), r.text


def test_a_caller_the_route_accepts_learns_what_is_wrong_with_the_body(api):
    w = api.world("auth-first-ok")
    m = w.merchants[0]
    r = api.client.patch(
        f"/api/v1/stores/{m.store_b}", content=b'{"name": 42}',
        headers=auth(m.owner) | {"Content-Type": "application/json"},
    )  # fmt: skip
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "invalid_input"
    assert r.json()["errors"], r.text
