"""The membership terms (issue 12 item 13): a readable page, published versions, agreeing again.

On SQLite and PostgreSQL, over real HTTP: the sign-in page links to the alliance's terms; an
operator publishes a new version in /ops/settings; a member who agreed to the old version is
stopped on every member page until they agree (recorded with the version and time) or sign out.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event, select
from tests.integration.alliance.world import PASSWORD, Builder, make_client
from tests.integration.web.test_member_pages import join

from guildcard.members.storage.tables import member_consents

NEW_TEXT = "第一条：积分有效期两年。\n第二条：我们不向联盟以外提供您的资料。"


@pytest.fixture
def site(database):
    client, container = make_client(database)
    with client:
        builder = Builder(client, container)
        alliance_id, admin = builder.alliance("mall")
        client.builder, client.container = builder, container  # type: ignore[attr-defined]
        client.alliance_id, client.admin = alliance_id, admin  # type: ignore[attr-defined]
        yield client


def _form_token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([0-9a-f]+)"', page).group(1)


def publish(client, version: str, body: str = NEW_TEXT):
    page = client.get("/ops/settings")
    assert page.status_code == 200, page.text
    key = re.search(r'id="terms-settings">\s*<input[^>]*>\s*<input[^>]*value="([^"]+)"', page.text)
    data = {"csrf_token": _form_token(page.text), "terms_version": version, "terms_body": body}
    return client.post("/ops/settings/terms", data={**data, "idempotency_key": key.group(1) if key else ""})


def as_operator(client, login: str = "admin-mall") -> None:
    client.cookies.clear()
    signed = client.post(
        "/ops/login", data={"alliance": "mall", "login": login, "password": PASSWORD}, follow_redirects=False
    )
    assert signed.status_code == 303


def terms_consents(client) -> list[tuple[str, object]]:
    c = member_consents.c
    with client.container.database.read() as conn:
        rows = conn.execute(
            select(c.version, c.recorded_at).where(c.kind == "terms").order_by(c.recorded_at)
        ).all()
    return [(r.version, r.recorded_at) for r in rows]


def test_the_terms_are_a_readable_page_linked_from_sign_in(site):
    login = site.get("/m/mall/login").text
    assert 'href="/m/mall/terms"' in login
    page = site.get("/m/mall/terms")
    assert page.status_code == 200
    assert "会员条款与隐私政策" in page.text
    assert "2026-11 版" in page.text
    assert "个人信息" in page.text  # the text itself, not only a title
    assert site.get("/m/nowhere/terms").status_code == 404
    assert "Membership terms and privacy notice" in site.get("/m/mall/terms?lang=en").text


def test_a_new_version_asks_the_member_to_agree_again_at_the_next_visit(site):
    join(site)  # agrees to the current (default) version 2026-11
    assert site.get("/m", follow_redirects=False).status_code == 200
    member_cookies = dict(site.cookies)

    as_operator(site)
    published = publish(site, "2026-12")
    assert published.status_code == 200, published.text
    assert "新条款已发布" in published.text
    assert "现行版本：2026-12" in published.text
    again = publish(site, "2026-12", "另一段文字")
    assert again.status_code == 422
    assert "该条款版本已发布过" in again.text
    assert "另一段文字" in again.text  # what was typed stays in the form
    assert publish(site, "", "正文").status_code == 422
    viewer = site.builder.operator(site.alliance_id, site.admin, "viewer")
    site.cookies.set("gc_session", viewer)
    refused = publish(site, "2027-01")
    assert "您的角色无权执行此操作" in refused.text
    public = site.get("/m/mall/terms").text
    assert "2026-12 版" in public
    assert "积分有效期两年" in public
    assert "2027-01" not in public

    site.cookies.clear()
    for name, value in member_cookies.items():
        site.cookies.set(name, value)
    for path in ("/m", "/m/history", "/m/settings"):
        stopped = site.get(path, follow_redirects=False)
        assert stopped.status_code == 303, path
        assert stopped.headers["location"].startswith("/m/terms/agree?next=")
    asked = site.get("/m/history")  # followed: the page that blocks the H5
    assert "会员条款已更新" in asked.text
    assert "2026-12 版" in asked.text
    assert "积分有效期两年" in asked.text
    assert "不同意并退出登录" in asked.text
    token = _form_token(asked.text)

    stale = site.post("/m/terms/agree", data={"csrf_token": token, "version": "2026-11", "next": "/m"})
    assert stale.status_code == 409
    assert site.get("/m", follow_redirects=False).status_code == 303
    site.container.clock.advance(timedelta(minutes=5))
    agreed = site.post(
        "/m/terms/agree",
        data={"csrf_token": token, "version": "2026-12", "next": "/m/history"},
        follow_redirects=False,
    )
    assert agreed.status_code == 303
    assert agreed.headers["location"] == "/m/history"
    assert site.get("/m", follow_redirects=False).status_code == 200
    consents = terms_consents(site)
    assert [v for v, _ in consents] == ["2026-11", "2026-12"]
    assert consents[-1][1] == site.container.clock.now()
    assert site.get("/m/terms/agree", follow_redirects=False).headers["location"] == "/m"


def test_a_member_who_joins_after_a_new_version_agrees_to_it(site):
    as_operator(site)
    assert publish(site, "2027-01").status_code == 200
    site.cookies.clear()
    join(site)
    assert site.get("/m", follow_redirects=False).status_code == 200
    assert [v for v, _ in terms_consents(site)] == ["2027-01"]


def test_signing_out_from_the_terms_page_works(site):
    join(site)
    member_cookies = dict(site.cookies)
    as_operator(site)
    publish(site, "2026-12")
    site.cookies.clear()
    for name, value in member_cookies.items():
        site.cookies.set(name, value)
    asked = site.get("/m/terms/agree?next=/m")
    out = site.post("/m/logout", data={"csrf_token": _form_token(asked.text)}, follow_redirects=False)
    assert out.status_code == 303
    assert site.get("/m", follow_redirects=False).headers["location"].startswith("/m/login")


def test_the_terms_check_of_a_member_page_reads_no_terms_once_warm_and_sees_a_new_version_at_once(site):
    join(site)
    member_cookies = dict(site.cookies)
    assert site.get("/m", follow_redirects=False).status_code == 200  # warms this process's copy
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    engine = site.container.database.engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        assert site.get("/m", follow_redirects=False).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert not [s for s in statements if "member_terms" in s or "member_consents" in s]

    as_operator(site)
    assert publish(site, "2026-12").status_code == 200
    site.cookies.clear()
    for name, value in member_cookies.items():
        site.cookies.set(name, value)
    stopped = site.get("/m", follow_redirects=False)  # the very next page asks
    assert stopped.status_code == 303
    assert stopped.headers["location"].startswith("/m/terms/agree")
