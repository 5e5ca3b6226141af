"""A role without a route's permission is answered 403 whatever the body: never a 422 first.

Every write route of the API declares its permission (``permits.requires``). For each such route
and each role of a seeded alliance (four operator roles, owner, manager, cashier, POS key,
member), the expected answer comes from the one role → permission table: a role the table
refuses gets 403 for a body that is no JSON, a body of the wrong shape and a body with wrong
field types, and is never told which fields are wrong; a role the table grants gets the 422
that names them (for a body that is no JSON or of the wrong shape). A write route that declares
nothing fails the first test.
"""

from __future__ import annotations

import re

from fastapi.routing import APIRoute
from tests.integration.alliance.test_access_matrix import sign_up_member
from tests.integration.alliance.world import auth

from guildcard.api.auth import resolve_actor
from guildcard.api.auth_first import needs_actor
from guildcard.api.permits import declared
from guildcard.kernel.permissions import permissions_of

BAD_BODIES = (b"{not json", b"[1, 2, 3]", b'{"amount_fen": "many", "name": 42, "limit_points": "x"}')
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
ANY_SIGNED_IN = {"POST /api/v1/auth/logout", "POST /api/v1/auth/password"}  # one's own session


def _write_routes(routes, prefix: str = "") -> list[tuple[str, str, APIRoute]]:
    found = []
    for route in routes:
        if hasattr(route, "original_router"):
            found += _write_routes(route.original_router.routes, prefix + route.include_context.prefix)
        elif isinstance(route, APIRoute):
            path = route.path if route.path.startswith(prefix) else prefix + route.path
            if path.startswith("/api/") and needs_actor(route.dependant):
                found += [(m, path, route) for m in sorted(route.methods & WRITES)]
    return found


def test_every_write_route_that_needs_a_caller_declares_its_permission(api):
    undeclared = [
        f"{method} {path}"
        for method, path, route in _write_routes(api.client.app.routes)
        if not declared(route.dependant) and f"{method} {path}" not in ANY_SIGNED_IN
    ]
    assert undeclared == [], (
        f"declare the permission with dependencies=[requires(Perm.…)] (guildcard.api.permits): {undeclared}"
    )


def test_a_role_without_the_permission_gets_403_before_its_body_is_judged(api):
    w = api.world("perm-first")
    m = w.merchants[0]
    tokens = dict(w.operators) | {"owner": m.owner, "manager": m.manager, "cashier": m.cashier, "pos": m.pos}
    tokens["member"] = sign_up_member(api, w.id, "13955550001")
    granted = {role: permissions_of(resolve_actor(api.container, token)) for role, token in tokens.items()}
    routes = [(mt, p, r) for mt, p, r in _write_routes(api.client.app.routes) if declared(r.dependant)]
    assert len(routes) >= 38  # every write route but sign-ins, applications and one's own session
    refused = judged = 0
    for method, path, route in routes:
        perms = {d.perm for d in declared(route.dependant)}
        url = re.sub(r"\{\w+\}", "x1", path)
        has_body = route.body_field is not None
        for role, token in tokens.items():
            allowed = perms <= granted[role]
            for body in BAD_BODIES:
                r = api.client.request(
                    method, url, content=body, headers=auth(token) | {"Content-Type": "application/json"}
                )
                where = (method, path, role, body)
                if not allowed:
                    assert r.status_code == 403, (where, r.text)
                    assert "errors" not in r.json(), (where, r.text)
                    refused += 1
                elif has_body and body != BAD_BODIES[2]:  # (optional fields may ignore the third)
                    assert r.status_code == 422, (where, r.text)  # the fields, to a caller who may
                    judged += 1
    assert refused > 500
    assert judged > 50
