"""Pages know who is signed in, send strangers to the login page, and refuse forged forms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi import APIRouter, Form, Request
from fastapi.responses import PlainTextResponse
from fastapi.testclient import TestClient

from guildcard.api.app import create_app
from guildcard.auth import tokens
from guildcard.bootstrap import bootstrap
from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.clock import FixedClock
from guildcard.settings import Settings
from guildcard.web.session import check_csrf, csrf_token, require_actor, safe_next

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@pytest.fixture
def client(database):
    container = bootstrap(
        Settings(env="development", database_url=database.url.render_as_string(False)), clock=FixedClock(NOW)
    )
    container.actor_loaders[ActorKind.MEMBER] = lambda _c, s: Actor(
        ActorKind.MEMBER, s.actor_id, s.alliance_id
    )
    app = create_app(container)
    router = APIRouter()

    @router.get("/m/card-test")
    def card(request: Request) -> PlainTextResponse:
        actor = require_actor(request, ActorKind.MEMBER, login_url="/m/login")
        return PlainTextResponse(f"{actor.id}|{csrf_token(request)}")

    @router.post("/m/consent-test")
    def consent(request: Request, csrf_token: str = Form("")) -> PlainTextResponse:
        require_actor(request, ActorKind.MEMBER, login_url="/m/login")
        check_csrf(request, csrf_token)
        return PlainTextResponse("saved")

    app.include_router(router)
    with container.database.write() as conn:
        token = tokens.issue(
            conn,
            alliance_id="al_1",
            actor_kind=ActorKind.MEMBER,
            actor_id="mem_7",
            now=NOW,
            ttl=timedelta(days=1),
        )
    with TestClient(app) as test_client:
        test_client.member_token = token  # type: ignore[attr-defined]
        yield test_client


def test_a_stranger_is_sent_to_the_login_page_and_back(client):
    response = client.get("/m/card-test?tab=history", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/m/login?next=/m/card-test%3Ftab%3Dhistory"


def test_a_signed_in_member_sees_the_page_and_forms_need_the_session_token(client):
    client.cookies.set("gc_session", client.member_token)
    member, csrf = client.get("/m/card-test").text.split("|")
    assert member == "mem_7"
    assert client.post("/m/consent-test", data={"csrf_token": csrf}).text == "saved"
    forged = client.post("/m/consent-test", data={"csrf_token": "0" * 64})
    assert forged.status_code == 403
    assert forged.json()["code"] == "csrf_failed"


def test_only_same_site_paths_follow_a_login():
    assert safe_next("/m/card", "/m") == "/m/card"
    assert safe_next("//evil.example/x", "/m") == "/m"
    assert safe_next("https://evil.example", "/m") == "/m"
    assert safe_next(None, "/m") == "/m"
