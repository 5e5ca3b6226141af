"""The one role → permission table (kernel/permissions.py), tested from the table itself.

Each money setting's route is tried by every role of the alliance: it is refused with 403 exactly
when the role's row lacks the route's permission. The generated docs/permissions.md is current.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.integration.alliance.world import auth

from guildcard.kernel import permissions
from guildcard.kernel.actors import ActorKind
from guildcard.kernel.permissions import PERMISSIONS, Perm

DOCS = Path(__file__).resolve().parents[3] / "docs" / "permissions.md"

# (permission, method, url, body): the settlement writes; {m} is the alliance's first merchant.
WRITES = [
    (Perm.SETTLEMENT_CONFIGURE, "PUT", "/api/v1/settlement/limits/{m}", {"limit_points": 1000}),
    (Perm.SETTLEMENT_CONFIGURE, "PUT", "/api/v1/settlement/settings/breakage", {"breakage_mode": "platform"}),
    (Perm.SETTLEMENT_CLOSE, "POST", "/api/v1/settlement/periods/2026-10/close", None),
]


def test_the_permission_docs_are_generated_from_the_table():
    assert DOCS.read_text(encoding="utf-8") == permissions.markdown(), (
        "docs/permissions.md is stale: python -m guildcard.kernel.permissions > docs/permissions.md"
    )


def _tokens(world) -> dict[tuple[ActorKind, str | None], str]:
    m = world.merchants[0]
    tokens: dict[tuple[ActorKind, str | None], str] = {
        (ActorKind.OPERATOR, role): token for role, token in world.operators.items()
    }
    tokens |= {(ActorKind.STAFF, "owner"): m.owner, (ActorKind.STAFF, "manager"): m.manager}
    tokens |= {(ActorKind.STAFF, "cashier"): m.cashier, (ActorKind.POS, "counter:write"): m.pos}
    return tokens


def test_every_role_gets_exactly_the_settlement_writes_of_its_row(api):
    world = api.world("perm")
    wrong = []
    tried = 0
    for role, token in _tokens(world).items():
        for perm, method, url, body in WRITES:
            path = url.format(m=world.merchants[0].id)
            headers = auth(token) | {"Idempotency-Key": f"perm-{role[1]}-{tried}"}
            r = api.client.request(method, path, json=body, headers=headers)
            tried += 1
            allowed = perm in PERMISSIONS[role]
            if (r.status_code == 403) == allowed or r.status_code >= 500:
                wrong.append(f"{role} {method} {path} -> {r.status_code} (allowed: {allowed}) {r.text[:100]}")
    assert wrong == [], "\n".join(wrong)
    assert tried == len(_tokens(world)) * len(WRITES)


@pytest.mark.parametrize("whose", ["another alliance's", "no one's"])
def test_limits_for_a_merchant_outside_the_alliance_are_not_found(api, whose):
    mine, theirs = api.world("lim-a"), api.world("lim-b")
    merchant = theirs.merchants[0].id if whose == "another alliance's" else "mer_nobody"
    r = api.client.put(
        f"/api/v1/settlement/limits/{merchant}",
        json={"limit_points": 10},
        headers=auth(mine.operators["admin"]) | {"Idempotency-Key": "lim-1"},
    )
    assert (r.status_code, r.json()["code"]) == (404, "settlement.merchant_not_found")
    limits = api.client.get(
        "/api/v1/settlement/limits/near?threshold=0", headers=auth(mine.operators["admin"])
    )
    assert merchant not in limits.text
