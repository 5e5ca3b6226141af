"""A writer killed with SIGKILL under load loses no acknowledged entry and leaves a valid ledger."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from guildcard.db.engine import Database
from guildcard.kernel.clock import SystemClock
from guildcard.ledger import AesGcmKeyStore, LedgerService

WRITER = Path(__file__).with_name("crash_writer.py")
ROOT = Path(__file__).resolve().parents[3]
A = "al_crash"


def test_sigkill_mid_load_loses_no_acknowledged_entry(database):
    service = LedgerService(
        database, clock=SystemClock(), keys=AesGcmKeyStore("crash-key-0000000000000000000000")
    )
    service.open_alliance_ledger(A)
    url = database.url.render_as_string(hide_password=False)
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"}
    writer = subprocess.Popen(
        [sys.executable, str(WRITER), url, A], stdout=subprocess.PIPE, text=True, env=env
    )
    acknowledged = []
    assert writer.stdout is not None
    while len(acknowledged) < 60:
        line = writer.stdout.readline()
        assert line, f"writer stopped early (exit {writer.poll()})"
        acknowledged.append(line.strip())
    writer.send_signal(signal.SIGKILL)  # mid-load: it is writing the next entries right now
    writer.wait()
    acknowledged += [line.strip() for line in writer.stdout.read().splitlines() if line.strip()]

    database.dispose()  # "restart": fresh connections
    restarted = Database(url)
    try:
        with restarted.read() as conn:
            stored = set(
                conn.execute(text("SELECT id FROM ledger_entries WHERE alliance_id = :a"), {"a": A}).scalars()
            )
        assert set(acknowledged) <= stored
        after = LedgerService(
            restarted, clock=SystemClock(), keys=AesGcmKeyStore("crash-key-0000000000000000000000")
        )
        assert after.verify(A) == {A: []}
    finally:
        restarted.dispose()
