"""Bearer tokens on both backends, and the API dependency that turns them into actors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from sqlalchemy import text

from guildcard.api.app import create_app
from guildcard.api.auth import CurrentActor
from guildcard.auth import tokens
from guildcard.bootstrap import bootstrap
from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.clock import FixedClock
from guildcard.settings import Settings

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def test_a_token_resolves_to_its_actor_until_it_expires_or_is_revoked(database):
    with database.write() as conn:
        token = tokens.issue(
            conn,
            alliance_id="al_1",
            actor_kind=ActorKind.MEMBER,
            actor_id="mem_1",
            now=NOW,
            ttl=timedelta(days=30),
        )
    with database.read() as conn:
        subject = tokens.resolve(conn, token, now=NOW + timedelta(days=1))
        assert subject is not None
        assert (subject.alliance_id, subject.actor_kind, subject.actor_id) == (
            "al_1",
            ActorKind.MEMBER,
            "mem_1",
        )
        assert tokens.resolve(conn, token, now=NOW + timedelta(days=31)) is None
        assert tokens.resolve(conn, token.replace("al_1.", "al_2."), now=NOW) is None
        assert tokens.resolve(conn, "garbage", now=NOW) is None
        stored = conn.execute(text("SELECT token_hash FROM auth_tokens")).scalar_one()
    assert token.split(".", 1)[1] not in stored, "only a hash of the secret is stored"
    with database.write() as conn:
        tokens.revoke(conn, token, now=NOW)
    with database.read() as conn:
        assert tokens.resolve(conn, token, now=NOW) is None


def test_signing_an_actor_out_everywhere(database):
    with database.write() as conn:
        issued = [
            tokens.issue(
                conn,
                alliance_id="al_1",
                actor_kind=ActorKind.STAFF,
                actor_id="stf_1",
                now=NOW,
                ttl=timedelta(hours=8),
            )
            for _ in range(3)
        ]
        assert (
            tokens.revoke_all_for(
                conn, alliance_id="al_1", actor_kind=ActorKind.STAFF, actor_id="stf_1", now=NOW
            )
            == 3
        )
    with database.read() as conn:
        assert all(tokens.resolve(conn, t, now=NOW) is None for t in issued)


@pytest.fixture
def app_with_whoami(database):
    container = bootstrap(
        Settings(env="development", database_url=database.url.render_as_string(False)), clock=FixedClock(NOW)
    )
    container.actor_loaders[ActorKind.MEMBER] = lambda _conn, s: Actor(
        ActorKind.MEMBER, s.actor_id, s.alliance_id
    )
    container.credential_authenticators.append(
        lambda _conn, credential: (
            Actor(ActorKind.POS, "key_1", "al_1") if credential == "pos-key-123" else None
        )
    )
    app = create_app(container)
    router = APIRouter()

    @router.get("/whoami")
    def whoami(actor: CurrentActor) -> dict:
        return {"kind": actor.kind.value, "id": actor.id, "alliance": actor.alliance_id}

    app.include_router(router)
    return app, container


def test_the_api_knows_who_is_calling_or_answers_401(app_with_whoami):
    app, container = app_with_whoami
    with container.database.write() as conn:
        token = tokens.issue(
            conn,
            alliance_id="al_1",
            actor_kind=ActorKind.MEMBER,
            actor_id="mem_9",
            now=NOW,
            ttl=timedelta(days=1),
        )
    with TestClient(app) as client:
        assert client.get("/whoami", headers={"Authorization": f"Bearer {token}"}).json() == {
            "kind": "member",
            "id": "mem_9",
            "alliance": "al_1",
        }
        assert client.get("/whoami", headers={"Authorization": "Bearer pos-key-123"}).json()["kind"] == "pos"
        denied = client.get("/whoami", headers={"Authorization": "Bearer nope.nope-nope-nope-nope-nope"})
        assert denied.status_code == 401
        assert denied.json()["code"] == "unauthenticated"
        assert client.get("/whoami").status_code == 401
        client.cookies.set("gc_session", token)
        assert client.get("/whoami").json()["id"] == "mem_9"
