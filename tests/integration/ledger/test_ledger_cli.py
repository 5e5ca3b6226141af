"""The ledger's commands: jobs, checkpoint and proof, and the benchmark's quick mode."""

from __future__ import annotations

import json

import pytest
from tests.integration.ledger.conftest import ALLIANCE
from tests.support import postgres
from typer.testing import CliRunner

from guildcard.cli.main import app
from guildcard.ledger import AesGcmKeyStore, LedgerService, chart
from guildcard.settings import Settings

A = ALLIANCE


@pytest.fixture
def cli_service(database, clock, monkeypatch) -> LedgerService:
    """The service the CLI will see: same database, the development data key."""
    monkeypatch.setenv("GUILDCARD_DATABASE_URL", database.url.render_as_string(hide_password=False))
    keys = AesGcmKeyStore(Settings().secret("data_key"))
    service = LedgerService(database, clock=clock, keys=keys)
    service.open_alliance_ledger(A)
    return service


def test_jobs_expire_is_safe_to_run_twice_for_one_date(cli_service, clock):
    cli_service.award(A, member_id="lily", issuer=chart.PLATFORM_GRANTS, amount=40, idempotency_key="o1")
    runner = CliRunner()
    first = runner.invoke(app, ["jobs", "expire", "--as-of", "2027-12-31"])  # calendar: end of year + 1
    assert first.exit_code == 0, first.output
    assert "expired 40 points from 1 lots" in first.output
    again = runner.invoke(app, ["jobs", "expire", "--as-of", "2027-12-31"])
    assert "expired 0 points" in again.output
    assert cli_service.queries(A).balance("lily").available == 0
    for command in (["jobs", "release-pending"], ["jobs", "void-expired-holds"]):
        assert runner.invoke(app, command).exit_code == 0


def test_checkpoint_then_proof_from_the_command_line(cli_service):
    entry = cli_service.award(
        A, member_id="lily", issuer=chart.PLATFORM_GRANTS, amount=5, idempotency_key="o1"
    )
    runner = CliRunner()
    made = runner.invoke(app, ["ledger", "checkpoint"])
    assert made.exit_code == 0
    assert "checkpoint 1, 1 entries" in made.output
    proof = runner.invoke(app, ["ledger", "proof", entry.entry_id, "--alliance", A])
    assert proof.exit_code == 0, proof.output
    assert json.loads(proof.output)["entry_id"] == entry.entry_id


def test_the_benchmark_quick_mode_prints_every_figure():
    pg = None if postgres.server_available() else postgres.ADMIN_DSN
    args = ["bench", "ledger", "--quick", "--json", "--expiry-lots", "2000", "--postgres-url", pg or ""]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    backends = ["sqlite", "postgresql"] if pg else ["sqlite"]
    for backend in backends:
        for key in (
            "baseline_tps",
            "ledger_tps",
            "batched_tps",
            "ratio_ledger_to_baseline",
            "ratio_batched_to_ledger",
        ):
            assert report[backend][key] > 0
    assert report["expiry_1m_seconds"] >= 0
    assert report["expiry_1m_peak_mb"] > 0
