"""Settlement through its entry points (HTTP API and CLI) and the counter's issuance limit check."""

from __future__ import annotations

import io
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from tests.integration.settlement.conftest import ALLIANCE, OPERATOR, staff
from tests.integration.settlement.worked_example import TEA, november, shanghai
from typer.testing import CliRunner

from guildcard.api.app import create_app
from guildcard.api.auth import current_actor
from guildcard.bootstrap import Container
from guildcard.cli import settle as settle_cli
from guildcard.cli.main import app as cli_app
from guildcard.db.uow import SqlUnitOfWork
from guildcard.kernel.actors import Actor
from guildcard.ledger import Ledger
from guildcard.ledger.keys import AesGcmKeyStore
from guildcard.privacy.cipher import FieldCipher, LookupHasher
from guildcard.settings import Settings
from guildcard.settlement.domain.errors import IssuanceLimitExceeded
from guildcard.settlement.domain.periods import PeriodKind
from guildcard.settlement.domain.terms import LimitMode
from guildcard.settlement.issuance import check_issuance
from guildcard.throttle import Throttle

A = ALLIANCE


@pytest.fixture
def container(database, clock, contracts, sales, tmp_path) -> Container:
    settings = Settings(data_dir=tmp_path, data_key="test-data-key-0123456789abcdef0123456789")
    return Container(
        settings=settings,
        database=database,
        clock=clock,
        cipher=FieldCipher(settings.secret("data_key")),
        lookup=LookupHasher(settings.secret("lookup_key")),
        throttle=Throttle("memory://"),
        ledger_keys=AesGcmKeyStore(settings.secret("data_key")),
        settlement_terms=contracts,
        settlement_sales=sales,
    )


def client_as(container: Container, actor: Actor) -> TestClient:
    app = create_app(container, check_schema=False)
    app.dependency_overrides[current_actor] = lambda: actor
    return TestClient(app)


def test_the_api_serves_statements_exports_and_drill_down(container, ledger, clock, contracts, sales):
    november(ledger, clock, contracts, sales)
    clock.set(shanghai(1, 9, month=12))
    operator = client_as(container, OPERATOR)
    closed = operator.post("/api/v1/settlement/periods/2026-11/close")
    assert closed.status_code == 200, closed.text
    nets = {s["merchant_id"]: s["figures"]["net"] for s in closed.json()["statements"]}
    assert nets == {"m_film": 1287, "m_gym": 53220, "m_tea": -346}

    owner = client_as(container, staff("m_tea"))
    mine = owner.get("/api/v1/settlement/statements", params={"period": "2026-11"}).json()
    assert [s["merchant_id"] for s in mine] == ["m_tea"]
    assert owner.get("/api/v1/settlement/statements/2026-11/m_gym").status_code == 404
    assert owner.post("/api/v1/settlement/periods/2026-11/close").status_code == 403
    items = owner.get("/api/v1/settlement/statements/2026-11/m_tea/lines/reimbursement").json()
    assert sum(i["quantity"] for i in items) == mine[0]["figures"]["points_redeemed"] == 820
    proof = owner.get(f"/api/v1/settlement/statements/2026-11/m_tea/proofs/{items[0]['ref']}").json()
    assert proof["root"] == mine[0]["checkpoint_root"]
    assert _documented_routine()(proof)  # the merchant's own check, as printed in docs/settlement.md

    csv_text = owner.get("/api/v1/settlement/statements/2026-11/export.csv").text
    assert "m_tea" in csv_text
    assert "m_gym" not in csv_text
    book = load_workbook(
        io.BytesIO(operator.get("/api/v1/settlement/statements/2026-11/export.xlsx").content)
    )
    header, *rows = list(book["statements"].values)
    net_column = header.index("net")
    assert {r[1]: r[net_column] for r in rows} == nets
    flows = operator.get("/api/v1/settlement/flows", params={"period": "2026-11"}).json()
    assert {"issuer": "m_gym", "spent_at": "m_tea", "points": 800} in flows


@pytest.fixture
def played_november(ledger, clock, contracts, sales) -> None:
    november(ledger, clock, contracts, sales)


@pytest.mark.usefixtures("played_november")
def test_the_cli_prints_and_closes_a_period(container, ledger, clock, monkeypatch, tmp_path):
    clock.set(shanghai(1, 9, month=12))
    monkeypatch.setattr(settle_cli, "container_or_exit", _fixed(container))
    out = tmp_path / "nov.xlsx"
    result = CliRunner().invoke(cli_app, ["settle", "--period", "2026-11", "--close", "--xlsx", str(out)])
    assert result.exit_code == 0, result.output
    assert "closed now" in result.output
    header, *rows = list(load_workbook(out)["statements"].values)
    assert sum(r[header.index("net")] for r in rows) == 1287 + 53220 - 346
    again = CliRunner().invoke(cli_app, ["settle", "--period", "2026-11", "--alliance", A, "--close"])
    assert "already closed" in again.output
    assert ledger.verify(A) == {A: []}


def _fixed(container):
    @contextmanager
    def use():
        yield container

    return use


def test_an_award_beyond_the_limit_is_refused_and_operators_see_who_is_near(database, ledger, clock, admin):
    admin.set_limit(
        OPERATOR,
        merchant_id="m_tea",
        limit_points=1000,
        period_kind=PeriodKind.MONTH,
        mode=LimitMode.PREPAID,
        idempotency_key="lim-1",
    )
    replay = admin.set_limit(
        OPERATOR,
        merchant_id="m_tea",
        limit_points=1000,
        period_kind=PeriodKind.MONTH,
        mode=LimitMode.PREPAID,
        idempotency_key="lim-1",
    )
    assert replay.replayed

    def award(points: int, key: str) -> None:
        with SqlUnitOfWork(database) as uow:  # the counter's transaction
            check_issuance(uow.connection, A, "m_tea", points, clock.now())
            Ledger(uow.connection, alliance_id=A, clock=clock).award(
                member_id="ann", issuer=TEA, amount=points, idempotency_key=key
            )
            uow.commit()

    award(850, "a1")
    assert [s.merchant_id for s in admin.near_limit(OPERATOR, Decimal("0.8"))] == ["m_tea"]
    with pytest.raises(IssuanceLimitExceeded) as refused:
        award(151, "a2")
    assert refused.value.details["remaining"] == 150
    award(150, "a3")
    assert admin.limits(OPERATOR)[0].remaining == 0


def _documented_routine():
    text = (Path(__file__).resolve().parents[3] / "docs" / "settlement.md").read_text(encoding="utf-8")
    code = text.split("```python\n", 1)[1].split("```", 1)[0].replace("entry = json.loads", "# entry = ")
    scope: dict = {}
    exec(code, scope)
    return scope["proof_holds"]
