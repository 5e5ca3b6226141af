"""The server as an operator and an integrator meet it: over HTTP, in a real process."""

from __future__ import annotations

import time

import httpx
from tests.support.server import run_cli, server_env

from guildcard.db import schema


def test_health_reports_the_database_and_a_current_schema(live_server):
    response = httpx.get(f"{live_server.base_url}/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "sqlite"
    assert body["database_reachable"] is True
    assert body["schema_current"] is True
    assert set(body["schema_revisions"]) == set(schema.head_revisions())


def test_openapi_and_docs_are_served_by_the_app_itself(live_server):
    spec = httpx.get(f"{live_server.base_url}/openapi.json").json()
    assert spec["info"]["title"] == "GuildCard API"
    assert "/healthz" in spec["paths"]
    docs = httpx.get(f"{live_server.base_url}/docs").text
    assert "/_assets/swagger/swagger-ui-bundle.js" in docs
    assert "cdn" not in docs.lower()
    asset = httpx.get(f"{live_server.base_url}/_assets/swagger/swagger-ui-bundle.js")
    assert asset.status_code == 200
    assert len(asset.content) > 100_000


def test_errors_are_problem_json_with_a_stable_code_and_the_request_id(live_server):
    response = httpx.get(f"{live_server.base_url}/api/v1/nothing-here", headers={"X-Request-ID": "req-42"})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-request-id"] == "req-42"
    body = response.json()
    assert body["code"] == "not_found"
    assert body["status"] == 404
    assert body["request_id"] == "req-42"


def test_logs_are_structured_carry_the_request_id_and_no_phone_numbers(live_server):
    httpx.get(
        f"{live_server.base_url}/api/v1/members/13812345678?phone=13987654321",
        headers={"X-Request-ID": "req-log-1"},
    )
    line, log = "", ""
    deadline = time.monotonic() + 5  # the access line is written just after the response is sent
    while not line and time.monotonic() < deadline:
        log = live_server.log()
        line = next((ln for ln in log.splitlines() if "req-log-1" in ln), "")
        time.sleep(0.05)
    assert '"path": "/api/v1/members/138****5678"' in line
    assert "13812345678" not in log
    assert "13987654321" not in log, "query strings are never logged"


def test_serving_an_outdated_schema_is_refused_with_the_fix(tmp_path):
    result = run_cli("serve", "--port", "1", env=server_env(tmp_path))
    assert result.returncode != 0
    assert "guildcard db upgrade" in result.stderr + result.stdout


def test_production_refuses_to_start_with_default_secrets_and_names_them(tmp_path):
    env = server_env(tmp_path, GUILDCARD_ENV="production", GUILDCARD_FIXED_OTP="000000")
    result = run_cli("serve", env=env)
    assert result.returncode == 2
    output = result.stderr + result.stdout
    for name in ("GUILDCARD_SECRET_KEY", "GUILDCARD_DATA_KEY", "GUILDCARD_LOOKUP_KEY", "GUILDCARD_FIXED_OTP"):
        assert name in output


def test_every_command_has_help(tmp_path):
    env = server_env(tmp_path)
    for command in ([], ["db"], ["db", "upgrade"], ["db", "current"], ["serve"], ["up"], ["version"]):
        result = run_cli(*command, "--help", env=env)
        assert result.returncode == 0, (command, result.stderr)
        assert "Usage" in result.stdout
