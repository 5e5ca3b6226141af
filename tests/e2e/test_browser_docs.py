"""In a real Chromium: the API docs render from the app alone, no other host contacted."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.browser


def test_api_docs_render_without_any_other_host(browser, live_server, artifacts_dir):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))
    page.goto(f"{live_server.base_url}/docs")
    page.wait_for_selector("text=GuildCard API", timeout=15_000)
    page.wait_for_selector("text=/healthz", timeout=15_000)
    page.screenshot(path=str(artifacts_dir / "api-docs.png"), full_page=False)
    page.close()
    assert hosts == {urlparse(live_server.base_url).netloc}
