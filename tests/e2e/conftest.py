"""A real server process on a fresh SQLite database under a temporary data folder."""

from __future__ import annotations

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
    server = start_server(env, Path(data_dir) / "server.log")
    yield server
    server.stop()
