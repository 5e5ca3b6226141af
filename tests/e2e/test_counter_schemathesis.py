"""Schemathesis over the counter API: whatever a client sends, never a server error."""

from __future__ import annotations

import contextlib
import shutil
from datetime import UTC, datetime

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guildcard.api.app import create_app
from guildcard.cli.bench_counter import demo_container, issue_tokens
from guildcard.counter.adapters.demo import HOTPOT_STORE
from guildcard.kernel.clock import FixedClock


@pytest.fixture(scope="module")
def app_and_token(tmp_path_factory, _sqlite_template):
    path = tmp_path_factory.mktemp("schemathesis") / "api.db"
    shutil.copy(_sqlite_template, path)
    container, demo = demo_container(
        f"sqlite:///{path}", clock=FixedClock(datetime(2026, 3, 4, 4, 0, tzinfo=UTC)), members=3
    )
    token = issue_tokens(container, demo)["stf_hotpot_cashier"]
    yield create_app(container), token
    container.close()


def test_no_counter_endpoint_answers_with_a_server_error(app_and_token):
    app, token = app_and_token
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [
        result.ok()
        for result in schema.get_all_operations()
        if result.ok().path.startswith("/api/v1/counter")
    ]
    assert len(operations) == 9
    failures, seen = [], []
    for operation in operations:
        check = _fuzz(operation, token, failures, seen)
        with contextlib.suppress(AssertionError):
            check()
    assert failures == []
    assert 401 not in seen, "the token must be accepted"
    assert {200, 201} & set(seen), "some requests must get through"
    assert 422 in seen, "some must be refused"


def _fuzz(operation, token, failures, seen):
    @settings(
        max_examples=20,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
        derandomize=True,
    )
    @given(case=operation.as_strategy(), real=st.booleans())
    def check(case, real):
        if real and isinstance(case.body, dict):  # half the time, a real store and member: deeper paths
            case.body = _with(case.body, store_id=HOTPOT_STORE, member_code="demo-code-000001", phone=None)
        response = case.call(headers={"Authorization": f"Bearer {token}"})
        seen.append(response.status_code)
        if response.status_code >= 500:
            failures.append((operation.label, case.path_parameters, case.body, response.text[:300]))
        assert response.status_code < 500

    return check


def _with(body, **changes):
    return body | {key: value for key, value in changes.items() if key in body or key == "member_code"}
