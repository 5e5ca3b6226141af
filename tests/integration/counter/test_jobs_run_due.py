"""``guildcard jobs run-due`` releases pending points when their time comes; re-running changes nothing."""

from __future__ import annotations

from tests.integration.counter.conftest import ALLIANCE, HOTPOT_CASHIER
from typer.testing import CliRunner

from guildcard.cli.main import app


def test_run_due_releases_pending_points_and_is_safe_to_re_run(counter, database, monkeypatch):
    counter.settings(pending_days=7)
    counter.buy(HOTPOT_CASHIER, "HP-1", 20000)
    monkeypatch.setenv("GUILDCARD_DATABASE_URL", database.url.render_as_string(hide_password=False))
    runner = CliRunner()
    early = runner.invoke(app, ["jobs", "run-due", "--as-of", "2026-03-05"])
    assert early.exit_code == 0, early.output
    assert counter.balance().pending == 190
    for _ in range(2):
        due = runner.invoke(app, ["jobs", "run-due", "--as-of", "2026-03-10"])
        assert due.exit_code == 0, due.output
    assert (counter.balance().available, counter.balance().pending) == (190, 0)
    assert f"{ALLIANCE}: released 0 pending points" in due.output
    assert f"{ALLIANCE}: automation schedules: 0 rules" in due.output  # the schedule job runs too
