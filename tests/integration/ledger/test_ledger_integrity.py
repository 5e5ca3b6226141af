"""verify names each broken invariant; checkpoints are signed, chained and prove inclusion."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from sqlalchemy import text
from tests.integration.ledger.conftest import ALLIANCE, KEYS
from typer.testing import CliRunner

from guildcard.cli.main import app
from guildcard.db.uow import SqlUnitOfWork
from guildcard.ledger import Ledger, chart
from guildcard.ledger.checkpoints import proof_holds
from guildcard.ledger.domain.results import InclusionProof
from guildcard.ledger.keys import AesGcmKeyStore

A = ALLIANCE
HOTPOT, AT_CINEMA = chart.merchant_issued("hotpot"), chart.merchant_redeemed("cinema")
DOCS = Path(__file__).resolve().parents[3] / "docs" / "ledger-proofs.md"


def some_history(service, clock) -> list[str]:
    ids = []
    for n in range(5):
        ids.append(
            service.award(A, member_id=f"m{n}", issuer=HOTPOT, amount=100, idempotency_key=f"o{n}").entry_id
        )
        clock.advance(timedelta(minutes=1))
    ids.append(service.spend(A, member_id="m1", at=AT_CINEMA, amount=40, idempotency_key="pay").entry_id)
    return ids


def codes(service) -> set[str]:
    return {v.code for v in service.verify(A)[A]}


def corrupt(database, sql: str) -> None:
    with database.engine.begin() as conn:
        conn.execute(text(sql))


def test_verify_names_a_posting_changed_behind_the_ledgers_back(service, clock, database):
    some_history(service, clock)
    assert codes(service) == set()
    corrupt(database, "UPDATE ledger_postings SET amount = amount + 1 WHERE account = 'member:m2:points'")
    assert {"unbalanced_entry", "balance_mismatch"} <= codes(service)


def test_verify_names_a_cached_balance_and_a_lot_out_of_step(service, clock, database):
    some_history(service, clock)
    corrupt(database, "UPDATE ledger_accounts SET balance = 999 WHERE code = 'member:m3:points'")
    corrupt(database, "UPDATE ledger_lots SET remaining = 7 WHERE member_id = 'm4'")
    found = service.verify(A)[A]
    assert {"balance_mismatch", "lots_mismatch", "lot_trail_mismatch"} <= {v.code for v in found}
    assert any("member:m3:points" in v.message for v in found)


def test_guildcard_ledger_verify_exits_non_zero_naming_the_violation(service, clock, database, monkeypatch):
    some_history(service, clock)
    monkeypatch.setenv("GUILDCARD_DATABASE_URL", database.url.render_as_string(hide_password=False))
    runner = CliRunner()
    ok = runner.invoke(app, ["ledger", "verify", "--alliance", A])
    assert ok.exit_code == 0, ok.output
    corrupt(database, "UPDATE ledger_postings SET amount = amount - 5 WHERE account = 'member:m0:points'")
    bad = runner.invoke(app, ["ledger", "verify"])
    assert bad.exit_code == 1
    assert "unbalanced_entry" in bad.output
    assert "member:m0:points" in bad.output


def test_a_checkpoint_proves_an_entry_and_detects_tampering(service, clock, database):
    ids = some_history(service, clock)
    first = service.checkpoint(A)
    assert first is not None
    assert (first.seq, first.size) == (1, len(ids))
    assert service.checkpoint(A) is None  # nothing new
    later = service.award(A, member_id="m9", issuer=HOTPOT, amount=5, idempotency_key="late").entry_id
    second = service.checkpoint(A)
    assert (second.seq, second.size) == (2, 1)
    for entry_id in [*ids, later]:
        assert proof_holds(service.inclusion_proof(A, entry_id))
    proof = service.inclusion_proof(A, ids[2])
    edited = bytes.fromhex(proof.leaf).replace(b",100]", b",900]")
    assert edited != bytes.fromhex(proof.leaf)
    forged = InclusionProof(**{**proof.__dict__, "leaf": edited.hex()})
    assert not proof_holds(forged)
    assert codes(service) == set()
    corrupt(database, "UPDATE ledger_entries SET reference = 'edited' WHERE member_id = 'm0'")
    assert "checkpoint_root" in codes(service)


def test_an_entry_that_commits_after_a_checkpoint_lands_in_the_next_one(service, clock, database):
    """A writer that recorded its entry before a checkpoint but commits after it is not skipped."""
    some_history(service, clock)
    with SqlUnitOfWork(database) as slow:
        early = clock.now() - timedelta(hours=1)
        ledger = Ledger(slow.connection, alliance_id=A, clock=type(clock)(early))
        late = ledger.award(member_id="m7", issuer=HOTPOT, amount=3, idempotency_key="slow").entry_id
        if database.is_sqlite:  # one writer at a time: commit first, the ordering question is PostgreSQL's
            slow.commit()
            service.checkpoint(A)
        else:
            service.checkpoint(A)  # does not see the uncommitted entry
            slow.commit()
    service.checkpoint(A)
    assert proof_holds(service.inclusion_proof(A, late))
    assert codes(service) == set()


def test_the_documented_standalone_verifier_accepts_a_real_proof(service, clock, tmp_path):
    ids = some_history(service, clock)
    service.checkpoint(A)
    proof = service.inclusion_proof(A, ids[-1])
    source = DOCS.read_text(encoding="utf-8").split("```python\n", 1)[1].split("```", 1)[0]
    script = tmp_path / "verify_proof.py"
    script.write_text(source, encoding="utf-8")
    proof_file = tmp_path / "proof.json"
    proof_file.write_text(json.dumps(proof.__dict__), encoding="utf-8")
    ok = subprocess.run(
        [sys.executable, str(script), str(proof_file)], capture_output=True, text=True, check=False
    )
    assert ok.returncode == 0
    assert "proof holds" in ok.stdout
    proof_file.write_text(json.dumps({**proof.__dict__, "index": proof.index ^ 1}), encoding="utf-8")
    bad = subprocess.run(
        [sys.executable, str(script), str(proof_file)], capture_output=True, text=True, check=False
    )
    assert bad.returncode == 1


def test_a_key_store_with_another_data_key_cannot_open_the_signing_key():
    sealed = KEYS.seal(b"secret")
    assert KEYS.open(sealed) == b"secret"
    with pytest.raises(InvalidTag):
        AesGcmKeyStore("wrong-key-0000000000000000000000000").open(sealed)
