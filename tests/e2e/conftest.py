"""A real server process on a fresh SQLite database under a temporary data folder."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.support.server import LiveServer, run_cli, server_env, start_server


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("live-data")
    env = server_env(data_dir)
    upgraded = run_cli("db", "upgrade", env=env)
    assert upgraded.returncode == 0, upgraded.stderr
    created = run_cli(
        "alliance", "create", "--name", "测试商圈联盟", "--code", "e2e", "--admin-login", "admin", env=env
    )
    assert created.returncode == 0, created.stderr
    server = start_server(env, Path(data_dir) / "server.log")
    server.alliance_id = re.search(r"alliance created (\S+)", created.stdout).group(1)
    server.admin_password = re.search(r"initial password: (\S+)", created.stdout).group(1)
    yield server
    server.stop()
