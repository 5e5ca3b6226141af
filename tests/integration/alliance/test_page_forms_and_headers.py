"""Every state-changing page form checks its CSRF token, and every page answer carries the
security headers (CSP without inline script, no framing, no sniffing, a same-origin referrer,
no-store; HSTS in production)."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient
from tests.integration.alliance.test_access_matrix import sign_up_member
from tests.integration.alliance.test_generated_access_matrix import Target, fill, flat_routes
from tests.route_access import MEMBER, OPERATOR, PUBLIC, ROUTES, STAFF

from guildcard.api.app import create_app
from guildcard.api.auth import SESSION_COOKIE
from guildcard.bootstrap import bootstrap
from guildcard.settings import Settings

TEMPLATES = Path(__file__).resolve().parents[3] / "src" / "guildcard" / "web" / "templates"


def test_every_page_post_without_its_csrf_token_is_refused(api):
    w = api.world("csrf")
    member = sign_up_member(api, w.id, "13977778888")
    who = {OPERATOR: w.operators["admin"], STAFF: w.merchants[0].owner, MEMBER: member}  # the page's own kind
    values = Target("own", w, w.merchants[0], w.merchants[0].store_a).params() | {"alliance_ref": "csrf"}
    accepted, tried = [], 0
    for method, path, is_api in flat_routes(api.client.app.routes):
        audience, _obj = ROUTES[f"{method} {path}"]
        if is_api or method != "POST":
            continue
        if audience == PUBLIC:
            continue  # sign-in and activation forms: no session yet (the member's carry a login token)
        token = (
            who[MEMBER]
            if path.startswith("/m/")
            else who[OPERATOR]
            if path.startswith("/ops")
            else who[STAFF]
        )
        cookie = {"Cookie": f"{SESSION_COOKIE}={token}"}
        r = api.client.post(
            fill(path, values), data={"csrf_token": "forged"}, headers=cookie, follow_redirects=False
        )
        tried += 1
        if r.status_code != 403:
            accepted.append(f"POST {path} -> {r.status_code} {r.headers.get('location', '')}")
    assert accepted == [], f"{len(accepted)} of {tried} forged form posts were not refused:\n" + "\n".join(
        accepted
    )
    assert tried >= 25
    # The admin is still signed in: the forged /ops/logout did nothing.
    assert api.client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {w.operators['admin']}"}
    ).is_success


def test_pages_and_api_answers_carry_the_security_headers(api):
    w = api.world("hdr")
    cookie = {"Cookie": f"{SESSION_COOKIE}={w.operators['admin']}"}
    for url in ("/ops", "/ops/merchants", "/ops/login", "/", "/api/v1/alliance"):
        r = api.client.get(url, headers=cookie | {"Authorization": f"Bearer {w.operators['admin']}"})
        assert r.status_code == 200, (url, r.status_code)
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp
        assert "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";", 1)[0]
        assert "frame-ancestors 'none'" in csp
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "same-origin"
        assert r.headers["cache-control"] == "no-store", url
        assert "strict-transport-security" not in r.headers  # development serves plain HTTP
    assert "no-store" not in api.client.get("/static/js/app.js").headers.get("cache-control", "")
    docs = api.client.get("/docs")
    nonce = re.search(r"'nonce-([^']+)'", docs.headers["content-security-policy"]).group(1)
    assert f'<script nonce="{nonce}">' in docs.text


def test_no_template_holds_an_inline_script_or_handler():
    found = []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        found += [
            f"{template.name}: inline <script>" for _ in re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", text)
        ]
        found += [f"{template.name}: {m}" for m in re.findall(r"\son[a-z]+=\"", text)]
    assert found == []


def test_production_answers_with_hsts(tmp_path):
    strong = "s" * 40
    settings = Settings(
        env="production", database_url=f"sqlite:///{tmp_path / 'p.db'}", secret_key=strong,
        data_key=strong + "d", lookup_key=strong + "l",
    )  # fmt: skip

    with TestClient(create_app(bootstrap(settings), check_schema=False)) as client:
        r = client.get("/healthz")
    assert r.headers["strict-transport-security"].startswith("max-age=31536000")
