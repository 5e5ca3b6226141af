"""The members API over HTTP: a member's whole journey, the limits as 429, the operator's review."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi.testclient import TestClient

from guildcard.api.app import create_app
from guildcard.auth import tokens
from guildcard.bootstrap import bootstrap
from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.clock import FixedClock
from guildcard.settings import Settings

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
A = "/api/v1/alliances/al_1"
PROBLEM = "application/problem+json"


class FixedAlliances:
    def __init__(self, ids: set[str]) -> None:
        self.ids = ids

    def exists(self, alliance_id: str) -> bool:
        return alliance_id in self.ids


@pytest.fixture
def api(database):
    clock = FixedClock(NOW)
    container = bootstrap(
        Settings(env="development", database_url=database.url.render_as_string(False)), clock=clock
    )
    # The alliance registry itself is exercised in tests/integration/alliance and over the real
    # server below; here the members API runs against two fixed alliances.
    container.alliance_directory = FixedAlliances({"al_1", "al_2"})
    container.actor_loaders[ActorKind.OPERATOR] = lambda _conn, s: Actor(
        ActorKind.OPERATOR, s.actor_id, s.alliance_id, role="reviewer"
    )
    with TestClient(create_app(container)) as client:
        client.clock = clock  # type: ignore[attr-defined]
        client.container = container  # type: ignore[attr-defined]
        yield client


def code_for(client: TestClient, phone: str) -> str:
    outbox = client.get("/api/v1/dev/outbox", params={"phone": phone}).json()
    return outbox[0]["code"]


def sign_up(client: TestClient, phone: str, **profile: str) -> dict:
    assert client.post(f"{A}/otp", json={"phone": phone, "purpose": "register"}).status_code == 202
    body = {"phone": phone, "code": code_for(client, phone), "accept_terms_version": "2026-11"}
    if profile:
        body["profile"] = profile
    response = client.post(f"{A}/members/session", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_a_members_journey_from_sign_up_to_erasure(api):
    sent = api.post(f"{A}/otp", json={"phone": "138 1234 5678", "purpose": "register"})
    assert sent.json() == {"phone_masked": "138****5678", "expires_in": 600, "resend_after": 60}
    code = code_for(api, "13812345678")
    session = api.post(
        f"{A}/members/session",
        json={"phone": "13812345678", "code": code, "accept_terms_version": "2026-11", "set_cookie": True},
    )
    assert session.status_code == 201
    assert session.json()["registered"] is True
    assert "gc_session" in session.cookies
    auth = {"Authorization": f"Bearer {session.json()['token']}"}

    me = api.patch("/api/v1/me", json={"display_name": "陈静", "birthday": "1993-09-09"}, headers=auth)
    assert me.json()["display_name"] == "陈静"
    assert me.json()["phone"] == "+8613812345678"
    assert api.get("/api/v1/me").json()["member_id"] == me.json()["member_id"], "the cookie works for pages"

    put = api.put("/api/v1/me/consents/sharing", json={"granted": True, "version": "s-1"}, headers=auth)
    assert put.json()["changed"] is True
    consents = api.get("/api/v1/me/consents", headers=auth).json()
    assert set(consents["current"]) == {"terms", "sharing"}

    card = api.get("/api/v1/me/member-code", headers=auth)
    assert card.headers["cache-control"] == "no-store"
    assert card.json()["digits"].isdigit()
    assert card.json()["svg"].startswith("<svg")
    svg = api.get("/api/v1/me/member-code.svg", headers=auth)
    assert svg.headers["content-type"].startswith("image/svg+xml")
    container = api.container  # type: ignore[attr-defined]
    assert (
        container.members.member_codes.redeem_member_code("al_1", card.json()["digits"]).member_id
        == (me.json()["member_id"])
    )

    export = api.get("/api/v1/me/export", headers=auth).json()
    assert export["member"]["phone"] == "+8613812345678"
    assert export["profile"]["display_name"] == "陈静"

    erased = api.post("/api/v1/me/erasure", json={"confirm": True}, headers=auth)
    assert erased.status_code == 200
    assert erased.json()["sessions_revoked"] == 1
    gone = api.get("/api/v1/me", headers=auth)
    assert gone.status_code == 401
    assert gone.headers["content-type"] == PROBLEM


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"phone": "12345", "purpose": "login"}, 422, "invalid_phone"),
        ({"phone": "13812345678", "purpose": "dance"}, 422, "invalid_input"),
    ],
)
def test_bad_input_gets_a_problem_with_a_stable_code(api, body, status, code):
    response = api.post(f"{A}/otp", json=body)
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == code


@pytest.mark.parametrize(
    ("accept_language", "language", "detail"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh-CN", "请输入有效的手机号。"),
        ("en-US,en;q=0.9", "en", "This is not a valid phone number."),
        ("fr-FR, zh;q=0.5", "zh-CN", "请输入有效的手机号。"),
        (None, "en", "This is not a valid phone number."),  # integrators without the header keep English
    ],
)
def test_the_detail_follows_accept_language_and_the_code_does_not(api, accept_language, language, detail):
    headers = {"Accept-Language": accept_language} if accept_language else {}
    response = api.post(f"{A}/otp", json={"phone": "12345", "purpose": "login"}, headers=headers)
    assert (response.status_code, response.json()["code"]) == (422, "invalid_phone")
    assert response.json()["detail"] == detail
    assert response.headers["content-language"] == language
    assert "accept-language" in response.headers["vary"].lower()


def test_validation_and_routing_problems_are_translated_too(api):
    bad = {"phone": "13812345678", "purpose": "dance"}  # pydantic: the summary is translated
    zh = api.post(f"{A}/otp", json=bad, headers={"Accept-Language": "zh-CN"})
    en = api.post(f"{A}/otp", json=bad, headers={"Accept-Language": "en"})
    assert zh.json()["detail"] == "请求无效。"
    assert en.json()["detail"] == "The request is not valid."
    assert zh.json()["errors"] == en.json()["errors"]
    missing = api.get("/api/v1/no-such-route", headers={"Accept-Language": "zh"})
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    assert missing.json()["detail"] == "未找到"


def test_code_errors_are_problems_too(api):
    api.post(f"{A}/otp", json={"phone": "13812345678"})
    wrong = api.post(f"{A}/members/session", json={"phone": "13812345678", "code": "00000x"})
    assert wrong.json()["code"] == "members.otp_invalid"
    assert wrong.json()["attempts_left"] == 4
    no_terms = api.post(
        f"{A}/members/session", json={"phone": "13812345678", "code": code_for(api, "13812345678")}
    )
    assert (no_terms.status_code, no_terms.json()["code"]) == (422, "members.terms_consent_required")
    api.clock.advance(timedelta(minutes=11))  # type: ignore[attr-defined]
    expired = api.post(
        f"{A}/members/session",
        json={"phone": "13812345678", "code": code_for(api, "13812345678"), "accept_terms_version": "1"},
    )
    assert (expired.status_code, expired.json()["code"]) == (422, "members.otp_expired")


def test_limits_answer_429_with_retry_after(api):
    api.post(f"{A}/otp", json={"phone": "13812345678"})
    api.clock.advance(timedelta(seconds=20))  # type: ignore[attr-defined]
    again = api.post(f"{A}/otp", json={"phone": "13812345678"})
    assert again.status_code == 429
    assert again.json()["code"] == "members.otp_resend_too_soon"
    assert again.headers["retry-after"] == "40"
    for n in range(18):
        assert api.post(f"{A}/otp", json={"phone": f"1390000{n:04d}"}).status_code == 202
    flooded = api.post(f"{A}/otp", json={"phone": "13700000000"})
    assert (flooded.status_code, flooded.json()["code"]) == (429, "members.too_many_requests")
    assert int(flooded.headers["retry-after"]) > 0


def test_an_operator_reviews_possible_duplicates(api):
    sign_up(api, "13812345678", display_name="张伟", birthday="1990-05-01")
    member = sign_up(api, "13912345678", display_name="张伟", birthday="1990-05-01")
    container = api.container  # type: ignore[attr-defined]
    with container.database.write() as conn:
        operator = tokens.issue(
            conn,
            alliance_id="al_1",
            actor_kind=ActorKind.OPERATOR,
            actor_id="opr_1",
            now=NOW,
            ttl=timedelta(hours=1),
        )
    as_operator = {"Authorization": f"Bearer {operator}"}
    [pair] = api.get(f"{A}/member-duplicates", headers=as_operator).json()
    assert {pair["first"]["phone_masked"], pair["second"]["phone_masked"]} == {"138****5678", "139****5678"}
    reviewed = api.post(
        f"{A}/member-duplicates/{pair['flag_id']}/review",
        json={"verdict": "different_people"},
        headers=as_operator,
    )
    assert reviewed.json()["status"] == "different_people"
    as_member = {"Authorization": f"Bearer {member['token']}"}
    assert api.get(f"{A}/member-duplicates", headers=as_member).status_code == 403
    other = api.get("/api/v1/alliances/al_2/member-duplicates", headers=as_operator)
    assert other.status_code == 403


def test_a_consent_change_retried_with_its_key_is_answered_once(api):
    auth = {"Authorization": f"Bearer {sign_up(api, '13812345678')['token']}"}
    keyed = {**auth, "Idempotency-Key": "tap-1"}
    first = api.put("/api/v1/me/consents/marketing", json={"granted": True, "version": "m-1"}, headers=keyed)
    api.clock.advance(timedelta(seconds=5))  # type: ignore[attr-defined]
    again = api.put("/api/v1/me/consents/marketing", json={"granted": True, "version": "m-1"}, headers=keyed)
    assert "idempotent-replayed" not in first.headers
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    other = api.put("/api/v1/me/consents/marketing", json={"granted": False, "version": "m-1"}, headers=keyed)
    assert (other.status_code, other.json()["code"]) == (409, "idempotency_conflict")
    history = api.get("/api/v1/me/consents", headers=auth).json()["history"]
    assert [c["kind"] for c in history] == ["terms", "marketing"]


def test_the_openapi_document_describes_the_members_api_with_examples(api):
    spec = api.get("/openapi.json").json()
    for path in (
        "/api/v1/alliances/{alliance_id}/otp",
        "/api/v1/alliances/{alliance_id}/members/session",
        "/api/v1/me",
        "/api/v1/me/consents/{kind}",
        "/api/v1/me/member-code",
        "/api/v1/me/export",
        "/api/v1/me/erasure",
        "/api/v1/alliances/{alliance_id}/member-duplicates",
    ):
        assert path in spec["paths"], path
    assert spec["components"]["schemas"]["SessionCreate"]["examples"][0]["phone"] == "13812345678"


def test_the_dev_outbox_exists_only_in_development(tmp_path):
    strong = "s" * 40
    settings = Settings(
        env="production",
        database_url=f"sqlite:///{tmp_path / 'p.db'}",
        secret_key=strong,
        data_key=strong + "d",
        lookup_key=strong + "l",
    )
    app = create_app(bootstrap(settings), check_schema=False)
    assert "/api/v1/dev/outbox" not in {getattr(r, "path", "") for r in app.routes}


def test_over_a_real_server_a_member_signs_up_and_sees_their_masked_phone_nowhere_in_the_log(live_server):
    base = live_server.base_url + f"/api/v1/alliances/{live_server.alliance_id}"
    phone = "13655556666"
    assert httpx.post(f"{base}/otp", json={"phone": phone}).status_code == 202
    outbox = httpx.get(f"{live_server.base_url}/api/v1/dev/outbox", params={"phone": phone})
    code = outbox.json()[0]["code"]
    signed = httpx.post(
        f"{base}/members/session", json={"phone": phone, "code": code, "accept_terms_version": "2026-11"}
    )
    assert signed.status_code == 201
    me = httpx.get(
        f"{live_server.base_url}/api/v1/me", headers={"Authorization": f"Bearer {signed.json()['token']}"}
    )
    assert me.json()["phone_masked"] == "136****6666"
    assert phone not in live_server.log()
