"""The webhooks API with real tokens: the catalogue, who may subscribe to what, and who sees which log."""

from __future__ import annotations

from tests.integration.alliance.world import Builder, auth, make_client

HOOKS = "/api/v1/webhooks"


def test_the_event_catalogue_is_public_versioned_and_in_the_api_docs(database):
    client, _container = make_client(database)
    with client:
        types = {t["name"]: t for t in client.get(f"{HOOKS}/event-types").json()}
        purchase = types["counter.purchase_recorded"]
        assert purchase["version"] == 1
        assert purchase["schema"]["properties"]["data"]["additionalProperties"] is False
        assert "payable_fen" in purchase["schema"]["properties"]["data"]["properties"]
        assert types["members.member_registered"]["merchant_scoped"] is False
        assert f"{HOOKS}/event-types" in client.get("/openapi.json").json()["paths"]


def test_merchants_manage_only_their_own_endpoints(database):
    client, container = make_client(database)
    with client:
        world = Builder(client, container).world("hooks")
        admin, (m1, m2) = world.operators["admin"], world.merchants
        body = {"url": "https://pos.example.com/hook", "event_types": ["counter.purchase_recorded"]}

        alliance = client.post(f"{HOOKS}/subscriptions", json=body, headers=auth(admin))
        assert alliance.status_code == 201, alliance.text
        assert alliance.json()["secret"].startswith("whsec_")
        own = client.post(
            f"{HOOKS}/subscriptions", json=body | {"merchant_id": m1.id}, headers=auth(m1.owner)
        )
        assert own.status_code == 201, own.text
        sub = own.json()["id"]

        assert client.post(f"{HOOKS}/subscriptions", json=body | {"merchant_id": m1.id},
                           headers=auth(m2.owner)).status_code == 403  # fmt: skip
        assert client.post(f"{HOOKS}/subscriptions", json=body | {"merchant_id": m1.id},
                           headers=auth(m1.cashier)).status_code == 403  # fmt: skip
        assert client.post(f"{HOOKS}/subscriptions", json=body, headers=auth(m1.owner)).status_code == 403
        plain = body | {"url": "http://pos.example.com/hook"}
        refused = client.post(f"{HOOKS}/subscriptions", json=plain, headers=auth(admin))
        assert refused.status_code == 422
        assert refused.json()["code"] == "automation.invalid_endpoint"

        assert client.get(f"{HOOKS}/subscriptions/{sub}", headers=auth(m2.owner)).status_code == 404
        assert (
            client.get(f"{HOOKS}/subscriptions/{sub}/deliveries", headers=auth(m2.owner)).status_code == 404
        )
        assert (
            client.post(f"{HOOKS}/subscriptions/{sub}/rotate-secret", headers=auth(m2.owner)).status_code
            == 404
        )
        assert client.get(f"{HOOKS}/subscriptions", params={"merchant_id": m1.id},
                          headers=auth(m2.owner)).status_code == 403  # fmt: skip
        mine = client.get(f"{HOOKS}/subscriptions", params={"merchant_id": m1.id}, headers=auth(m1.owner))
        assert [s["id"] for s in mine.json()] == [sub]
        assert "secret" not in mine.json()[0]
        listed = client.get(f"{HOOKS}/subscriptions", headers=auth(admin)).json()
        assert [s["id"] for s in listed] == [alliance.json()["id"]]
        owner = auth(m1.owner)
        rotated = client.post(f"{HOOKS}/subscriptions/{sub}/rotate-secret", headers=owner)
        assert rotated.json()["secret"] != own.json()["secret"]
        off = client.put(f"{HOOKS}/subscriptions/{sub}/status", json={"active": False}, headers=owner)
        assert off.json()["status"] == "disabled"
