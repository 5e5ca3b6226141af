"""Settlement through its entry points (HTTP API and CLI) and the counter's issuance limit check."""

from __future__ import annotations

import codecs
import csv
import io
from contextlib import contextmanager
from datetime import datetime
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
        io.BytesIO(operator.get("/api/v1/settlement/statements/2026-11/export.xlsx?lang=en").content)
    )
    header, *rows = list(book["statements"].values)
    net_column = header.index("net")
    assert {r[1]: round(r[net_column] * 100) for r in rows} == nets  # yuan
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
    assert round(sum(r[header.index("净额（元）")] for r in rows) * 100) == 1287 + 53220 - 346
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


def test_exports_open_in_chinese_excel_with_the_statements_figures(
    container, ledger, clock, contracts, sales
):
    """Issue 12 item 4: a UTF-8 BOM, Chinese headers (English with lang=en), yuan as numbers with a
    currency format, the closing time as a date, the same figures as the statements."""
    november(ledger, clock, contracts, sales)
    clock.set(shanghai(1, 9, month=12))
    operator = client_as(container, OPERATOR)
    statements = operator.post("/api/v1/settlement/periods/2026-11/close").json()["statements"]
    figures = {s["merchant_id"]: s["figures"] for s in statements}

    body = operator.get("/api/v1/settlement/statements/2026-11/export.csv").content
    assert body.startswith(codecs.BOM_UTF8)
    table = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    header = table[0]
    assert header[:4] == ["结算期", "商户编号", "商户名称", "状态"]
    rows = {r[1]: dict(zip(header, r, strict=True)) for r in table[1:4]}
    assert rows["m_gym"]["净额（元）"] == "532.20"
    assert rows["m_gym"]["入驻费（元）"] == "500.00"
    assert rows["m_gym"]["发放积分"] == str(figures["m_gym"]["points_issued"])
    assert rows["m_tea"]["状态"] == "已结算"
    assert rows["m_tea"]["结算时间"] == "2026-12-01 09:00"
    lines_at = table.index([]) + 1
    assert table[lines_at][:3] == ["商户编号", "商户名称", "项目"]
    commission = next(r for r in table[lines_at + 1 :] if r[0] == "m_tea" and r[2] == "佣金")
    assert commission[5:8] == ["100.00", "元", "2.00%"]  # ¥100 of member sales at 2 %
    english = operator.get("/api/v1/settlement/statements/2026-11/export.csv?lang=en").text
    assert english.lstrip("\ufeff").startswith("period,merchant_id,merchant_name,status,points_issued")

    book = load_workbook(
        io.BytesIO(operator.get("/api/v1/settlement/statements/2026-11/export.xlsx").content)
    )
    sheet = book["statements"]
    names = [c.value for c in sheet[1]]
    gym = next(row for row in sheet.iter_rows(min_row=2) if row[1].value == "m_gym")
    net = gym[names.index("净额（元）")]
    assert isinstance(net.value, (int, float))
    assert round(net.value * 100) == figures["m_gym"]["net"]
    assert "¥" in net.number_format
    closed_at = gym[names.index("结算时间")]
    assert isinstance(closed_at.value, datetime)
    assert (
        closed_at.value.strftime("%Y-%m-%d %H:%M") == "2026-12-01 09:00"
    )  # Shanghai time, as Excel has no zone
    assert closed_at.is_date
    lines = book["lines"]
    amounts = [row[8] for row in lines.iter_rows(min_row=2)]
    assert all(isinstance(c.value, (int, float)) and "¥" in c.number_format for c in amounts)
