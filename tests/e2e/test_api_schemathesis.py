"""Schemathesis with every check (``st run --checks all``) over every operation of the API.

``guildcard serve`` on the real bootstrap, a SQLite file with the bench alliance seeded through
the services; the requests carry real credentials: the operator admin's session over every
operation, the hot-pot's POS key over the counter and insights operations, a member's session
over ``/api/v1/me``, and the owner's session over ``POST /api/v1/auth/logout`` last (it ends the
session it is sent with, so it runs alone). Bounded: two examples per operation and phase, a
fixed seed; about a minute on two cores.

Zero failures of any check, except the ones recorded in ``schemathesis_baseline.json``: each is
an operation that answers 422 with its own code for a request the schema cannot tell is wrong
(a rule on the data: a date in the past, a transition from the current state, a phone number
that is no number, a period that does not exist). A new failure of any kind fails this test.
After fixing one, rerun with ``GUILDCARD_SCHEMATHESIS_BASELINE_UPDATE=1`` (and prune the file).
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.support.server import LiveServer, server_env, start_server

from guildcard.bootstrap import bootstrap
from guildcard.db import schema
from guildcard.demo.bench_alliance import TERMS_VERSION, BenchAlliance, seed_bench_alliance
from guildcard.demo.joining import join
from guildcard.settings import Settings

FIXED_OTP = "246810"
BASELINE = Path(__file__).with_name("schemathesis_baseline.json")
ST = str(Path(sys.executable).with_name("st"))
RUNS = (  # credential, which operations
    ("admin", ["--exclude-path", "/api/v1/auth/logout"]),
    ("pos", ["--include-path-regex", "^/api/v1/(counter|insights)/"]),
    ("member", ["--include-path-regex", "^/api/v1/me"]),
    ("owner", ["--include-path", "/api/v1/auth/logout"]),
)


@dataclass
class Api:
    server: LiveServer
    alliance: BenchAlliance
    tokens: dict[str, str]


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    data_dir = tmp_path_factory.mktemp("schemathesis-api")
    url = f"sqlite:///{data_dir / 'guildcard.db'}"
    container = bootstrap(Settings(env="development", database_url=url, fixed_otp=FIXED_OTP))
    try:
        schema.upgrade(container.database.engine)
        alliance = seed_bench_alliance(container, members=3, password=secrets.token_urlsafe(12))
        member = join(  # one more member, signed in through the services (the one-time code as a phone would)
            container, alliance.id, phone="13912340001", client_ip="198.18.9.1", terms_version=TERMS_VERSION
        ).token
    finally:
        container.close()
    env = server_env(data_dir, GUILDCARD_DATABASE_URL=url, GUILDCARD_FIXED_OTP=FIXED_OTP)
    server = start_server(env, data_dir / "server.log", timeout=300)
    try:
        tokens = {
            "admin": alliance.admin,
            "pos": alliance.hotpot.pos_key,
            "owner": alliance.hotpot.sessions["owner"],
            "member": member,
        }
        yield Api(server, alliance, tokens)
    finally:
        server.stop()


def test_every_operation_passes_every_check_of_schemathesis(api: Api, tmp_path: Path):
    summaries = []
    for credential, selection in RUNS:
        command = [
            ST, "run", f"{api.server.base_url}/openapi.json", "--checks", "all",
            "--max-examples", "2", "--seed", "1", "--workers", "1", "--no-color",
            "--phases", "examples,coverage,fuzzing", "--baseline", str(BASELINE),
            "--header", f"Authorization: Bearer {api.tokens[credential]}", *selection,
        ]  # fmt: skip
        updating = bool(os.environ.get("GUILDCARD_SCHEMATHESIS_BASELINE_UPDATE"))
        if updating:  # after a fix: record what is left
            command.append("--baseline-update")
        done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False)
        summary = done.stdout[done.stdout.rfind("SUMMARY") :]
        summaries.append(f"--- {credential}\n{summary}")
        assert updating or done.returncode == 0, (
            f"{credential}: {done.stdout[-12000:]}\n{done.stderr[-2000:]}"
        )
        assert "Tested:" in summary, summary
    print("\n".join(summaries))  # the figures: operations tested, cases generated, baseline hits
