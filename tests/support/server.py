"""A real GuildCard server process for end-to-end tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

GUILDCARD = str(Path(sys.executable).with_name("guildcard"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUILDCARD_")}
    env.update({"GUILDCARD_ENV": "development", "GUILDCARD_DATA_DIR": str(data_dir), **extra})
    return env


@dataclass
class LiveServer:
    base_url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    alliance_id: str = ""  # the alliance the e2e fixture created, with its first admin
    admin_password: str = ""

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_server(
    env: dict[str, str], log_path: Path, *, timeout: float = 90.0, args: tuple[str, ...] = ()
) -> LiveServer:
    port = free_port()
    log = log_path.open("wb")
    process = subprocess.Popen(
        [GUILDCARD, "serve", "--port", str(port), *args], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    server = LiveServer(f"http://127.0.0.1:{port}", process, log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{server.log()}")
        try:
            if httpx.get(f"{server.base_url}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"server did not become healthy:\n{server.log()}")


def seeding_client(base_url: str, *, source: str, timeout: float = 30) -> httpx.Client:
    """An API client that connects from its own loopback address (``127.0.0.x``).

    Per-address rate limits (sign-ins, applications) then count the seeding apart from the
    browser under test, which connects from 127.0.0.1.
    """
    transport = httpx.HTTPTransport(local_address=source)
    return httpx.Client(base_url=base_url, transport=transport, timeout=timeout)


def run_cli(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [GUILDCARD, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
