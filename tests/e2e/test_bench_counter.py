"""``guildcard bench counter --json`` with tiny durations: every figure is there, the ledger is clean.

A smoke test of the benchmark's machinery (throw-away database, seeding, server, load, verify),
not a measurement: no figure is asserted beyond being there.
"""

from __future__ import annotations

import json
import subprocess

import pytest
from tests.conftest import _require
from tests.support import postgres
from tests.support.server import GUILDCARD

from guildcard.cli.bench_counter import KEYS


@pytest.mark.slow
@pytest.mark.postgresql
def test_the_counter_benchmark_prints_every_figure_and_leaves_a_clean_ledger():
    _require(postgres.server_available(), "PostgreSQL at 127.0.0.1:5432")
    args = ["--seconds", "1", "--members", "20", "--clients", "2", "--workers", "1", "--batch", "10"]
    ran = subprocess.run(
        [GUILDCARD, "bench", "counter", "--json", "--postgres-url", postgres.ADMIN_DSN, *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    figures = json.loads(ran.stdout)
    assert set(figures) == set(KEYS)
    assert figures["ledger_clean"] is True
    assert figures["members"] == 20
    assert figures["counter_tps"] > 0
    assert figures["bulk_tps"] > 0
    assert figures["statements_per_commit"] > 0
