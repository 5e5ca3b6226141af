"""``guildcard demo --no-serve`` seeds a small but complete story into a fresh SQLite file.

The story must hold together: merchants onboarded with contracts, members who shop across
the district, points earned at one merchant and spent at another, refunds, expiry, a
settled first month whose figures balance, and a ledger whose invariants hold.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient
from typer.testing import CliRunner

from guildcard.alliance.domain.model import MerchantStatus
from guildcard.api.app import create_app
from guildcard.bootstrap import Container, bootstrap
from guildcard.cli.main import app
from guildcard.counter.storage.tables import purchases, refunds
from guildcard.insights.queries.metrics import ISSUE_KEYS
from guildcard.kernel.actors import Actor
from guildcard.kernel.clock import FixedClock
from guildcard.ledger.storage.tables import postings
from guildcard.members.storage.tables import members
from guildcard.settings import Settings
from guildcard.settlement.wiring import settlement_service

pytestmark = pytest.mark.slow

SMALL = ["--members", "20", "--months", "2", "--visits", "3", "--last-day", "2026-11-22", "--no-serve"]


@dataclass
class Seeded:
    env: dict[str, str | None]
    output: str
    container: Container
    admin: Actor
    alliance_id: str


def run(env: dict[str, str | None], *args: str):
    return CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    data_dir = tmp_path_factory.mktemp("demo-data")
    env = {
        "GUILDCARD_ENV": "development",
        "GUILDCARD_DATA_DIR": str(data_dir),
        "GUILDCARD_DATABASE_URL": None,
        "GUILDCARD_FIXED_OTP": None,
    }
    result = run(env, "demo", *SMALL)
    assert result.exit_code == 0, result.output
    password = re.search(r"admin\s+│\s+(Demo-\S+)", result.output).group(1)
    container = bootstrap(Settings(env="development", data_dir=Path(data_dir), database_url=None))
    assert container.alliance is not None
    session = container.alliance.auth.login(
        alliance="jingan-demo", login="admin", password=password, client_ip="127.0.0.1"
    )
    yield Seeded(env, result.output, container, session.actor, session.actor.alliance_id)
    container.close()


def test_twelve_trades_of_merchants_are_onboarded_with_contracts(seeded: Seeded) -> None:
    services = seeded.container.alliance
    assert services is not None
    merchants = services.merchants.list(seeded.admin)
    assert len(merchants) >= 12
    assert {m.status for m in merchants} == {MerchantStatus.ACTIVE}
    assert len({m.category for m in merchants}) >= 12
    for merchant in merchants:
        assert services.contracts.history(seeded.admin, merchant.id), merchant.name
        staff = services.staff.list(seeded.admin, merchant.id)
        assert {s.role.value for s in staff} == {"owner", "manager", "cashier"}
    assert "seeding took" in seeded.output


def test_members_shop_across_the_district_and_some_get_refunds(seeded: Seeded) -> None:
    with seeded.container.database.read() as conn:
        registered = conn.execute(select(func.count()).select_from(members)).scalar_one()
        shops = conn.execute(
            select(func.count(func.distinct(purchases.c.merchant_id))).where(
                purchases.c.status == "committed"
            )
        ).scalar_one()
        committed = conn.execute(select(func.count()).where(purchases.c.status == "committed")).scalar_one()
        refunded = conn.execute(select(func.count()).select_from(refunds)).scalar_one()
    # The story's 20 members, plus the tea shop's imported file and the referral invitees (counted
    # by their own keys in the JSON report's test).
    assert registered >= 20
    assert committed > 60
    assert shops >= 12
    assert refunded > 0


def test_points_earned_at_one_merchant_are_spent_at_another(seeded: Seeded) -> None:
    settlement = settlement_service(seeded.container)
    flows = settlement.flow_matrix(seeded.admin, "2026-10") + settlement.flow_matrix(seeded.admin, "2026-11")
    assert any(f.issuer != f.spent_at and f.points > 0 for f in flows)


def test_some_points_expired(seeded: Seeded) -> None:
    queries = seeded.container.ledger().queries(seeded.alliance_id)
    assert queries.account_balance("platform:breakage") != 0


def test_the_first_month_is_closed_and_balances(seeded: Seeded) -> None:
    statements = settlement_service(seeded.container).statements(seeded.admin, "2026-10")
    assert statements
    assert {s.status for s in statements} == {"closed"}
    entries = [s.ledger_entry_id for s in statements if s.ledger_entry_id]
    with seeded.container.database.read() as conn:
        platform = conn.execute(
            select(func.coalesce(func.sum(postings.c.amount), 0)).where(
                postings.c.entry_id.in_(entries), postings.c.account.like("platform:%")
            )
        ).scalar_one()
    assert sum(s.figures.net for s in statements) + platform == 0
    assert any(s.figures.net != 0 for s in statements)


def test_the_ledger_verifies_clean(seeded: Seeded) -> None:
    result = run(seeded.env, "ledger", "verify")
    assert result.exit_code == 0, result.output
    assert "every invariant holds" in result.output


def test_seeding_twice_is_refused_with_a_hint(seeded: Seeded) -> None:
    result = run(seeded.env, "demo", *SMALL)
    assert result.exit_code == 2
    assert "--reset" in result.output


def _ops_client(seeded: Seeded, now: datetime) -> tuple[TestClient, Container]:
    """The web app on the seeded file with the clock at ``now``, signed in as the demo's admin."""
    container = bootstrap(
        Settings(
            env="development", data_dir=Path(seeded.env["GUILDCARD_DATA_DIR"] or "."), database_url=None
        ),
        clock=FixedClock(now),
    )
    client = TestClient(create_app(container))
    password = re.search(r"admin\s+│\s+(Demo-\S+)", seeded.output).group(1)  # type: ignore[union-attr]
    signed = client.post(
        "/ops/login", data={"alliance": "jingan-demo", "login": "admin", "password": password},
        follow_redirects=False,
    )  # fmt: skip
    assert signed.status_code == 303, signed.text
    return client, container


def test_the_dashboard_and_the_exports_carry_the_sums_of_the_months_statements(seeded: Seeded) -> None:
    """Issue 12 item 2: 本月发放积分 / 本月使用积分 and the flow matrix equal the statements' sums."""
    client, container = _ops_client(seeded, datetime(2026, 11, 22, 12, 0, tzinfo=UTC))
    with client:
        # A purchase of 30 October (a closed month) recorded now, as a backfill is: a correction
        # that November's statement bills.
        with container.database.read() as conn:
            member_id = conn.execute(select(members.c.member_id).limit(1)).scalar_one()
        merchant_id = settlement_service(container).statements(seeded.admin, "2026-11")[0].merchant_id
        container.ledger().award(
            seeded.alliance_id, member_id=member_id, issuer=f"merchant:{merchant_id}:issued", amount=6460,
            idempotency_key="late-backfill", occurred_at=datetime(2026, 10, 30, 4, 0, tzinfo=UTC),
        )  # fmt: skip
        page = client.get("/ops")
        assert page.status_code == 200
        statements = settlement_service(container).statements(seeded.admin, "2026-11")
        issued = sum(s.figures.points_issued for s in statements)
        redeemed = sum(s.figures.points_redeemed for s in statements)
        figures = re.findall(r'<div class="stat">([^<]+)</div>', page.text)
        assert [int(f.replace(",", "")) for f in figures[2:4]] == [issued, redeemed]
        assert any(ln.corrects == "2026-10" and ln.quantity >= 6460 for s in statements for ln in s.lines)
        flows = settlement_service(container).flow_matrix(seeded.admin, "2026-11")
        spent_at_merchants = sum(f.points for f in flows if f.spent_at != "mall")
        assert spent_at_merchants == redeemed
        # The exports carry the same figures (issue 12: statements, dashboard and exports agree).
        exported = client.get("/api/v1/settlement/statements/2026-11/export.csv")
        assert exported.status_code == 200
        table = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
        header, rows = table[0], table[1 : table.index([])]
        column = {title: header.index(title) for title in ("发放积分", "兑付积分", "净额（元）")}
        assert sum(int(r[column["发放积分"]]) for r in rows) == issued
        assert sum(int(r[column["兑付积分"]]) for r in rows) == redeemed
        net = sum(Decimal(r[column["净额（元）"]]) for r in rows)
        assert net * 100 == sum(s.figures.net for s in statements)
    container.close()


def test_the_demo_refuses_to_run_in_production(tmp_path: Path) -> None:
    secrets = {
        f"GUILDCARD_{name}": "x" * 16 + name.lower() * 4 for name in ("SECRET_KEY", "DATA_KEY", "LOOKUP_KEY")
    }
    env = {
        "GUILDCARD_ENV": "production",
        "GUILDCARD_DATA_DIR": str(tmp_path),
        "GUILDCARD_FIXED_OTP": None,
        **secrets,
    }
    result = run(env, "demo", *SMALL)
    assert result.exit_code == 2
    assert "development" in result.output
    assert not (tmp_path / "guildcard.db").exists()


def test_the_json_report_counts_what_was_seeded_and_the_events_the_commands_wrote(tmp_path: Path) -> None:
    env = {
        "GUILDCARD_ENV": "development",
        "GUILDCARD_DATA_DIR": str(tmp_path),
        "GUILDCARD_DATABASE_URL": None,
    }
    result = run(env, "demo", *SMALL, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    events = report["events"]
    assert report["merchants"] == 13
    assert report["members"] == 20
    # The coupons' and referrals' part (demo/coupons.py) adds its own members, purchases and refund.
    assert events["members.member_registered"] == report["members"] + report["rewards_members"]
    recorded = report["purchases"] + report["backfills"] + report["rewards_purchases"]
    recorded += report["refund_request_purchases"]  # the dinner and the spending of the refund waiting
    assert events["counter.purchase_recorded"] == recorded
    assert events["counter.purchase_refunded"] == report["refunds"] + report["rewards_refunds"]
    # The coupons' story is deterministic (claims in the centre, the hot-pot owner's issue, gifts).
    assert report["coupons_issued"] == 40
    for key in ("coupons_redeemed", "stamp_trails_completed", "referrals_rewarded"):
        assert report[key] > 0, key
    # The lottery's coupon prizes (seeded after the coupons were counted; its seed is secret) add theirs.
    assert events["rewards.coupon_issued"] == report["coupons_issued"] + report["lottery_prize_coupons"]
    assert events["ledger.points_expired"] >= 1
    assert events["settlement.period_closed"] == 1
    wanted = {"merchants", "stores", "staff", "members", "purchases", "refunds", "backfills", "points_earned",
              "points_used", "points_expired", "periods_closed", "seconds"}  # fmt: skip
    assert wanted <= set(report)
    assert report["periods_closed"] == 1
    # A cashier's refund of spent points waits for the owner (issue 12 item 6), with its own event.
    assert report["refund_requests_pending"] == events["counter.refund_requested"] == 1
    assert report["staff"] >= report["merchants"] + report["stores"] + 13  # owner, manager, a cashier a store
    assert 0 < report["seconds"] < 60
    assert report["wallet_code_topups"] == 3  # top-up codes sold by the bakery, redeemed by members
    signed_out = events["counter.purchase_refunded"] + events.get("counter.backfill_requested", 0)
    assert report["webhook_deliveries"] == signed_out > 0  # delivered to the demo's endpoint
    insights = report["insights"]  # seed 003's metrics of the last full month, under the issue's keys
    assert set(ISSUE_KEYS) <= set(insights)
    assert 0 < insights["member_sales_share"] < 1  # half the merchants report their walk-in totals
    assert 0 < insights["conversion_rate"] < 1
    assert insights["items_per_order"] > 1
    assert insights["average_order_value_fen"] > 0
    assert insights["rfm_members"] > insights["value_grid_top_cell"] > 0  # counted on the month rollups
    assert {login["role"] for login in report["logins"]} >= {"operator admin (联盟总部)", "member"}
    # The points mall, check-ins and a finished lottery (issue 15), counted from their own events.
    assert report["checkins"] == events["rewards.checked_in"] > 0
    assert report["lottery_draws"] == events["rewards.lottery_drawn"] > 0
    assert report["mall_orders"] == events.get("rewards.mall_order_placed", 0)
    assert report["mall_pickups"] <= report["mall_orders"]
    assert events["rewards.lottery_seed_revealed"] == 1
    verified = run(env, "lottery", "verify", report["lottery_campaign"])
    assert verified.exit_code == 0, verified.output
    # the tea shop's member file: 44 rows, 4 of them a member entered twice; near-certain ones merged
    assert report["members_imported"] == 44
    assert events["members.members_imported"] == 1
    assert report["duplicates_found"] >= 4
    assert 1 <= report["members_merged"] <= 3
    assert events["members.merged"] == report["members_merged"]
    # three presets ran over the story's events: the welcome decides once per registered member
    assert report["automation_runs"] >= events["members.member_registered"]
    assert 0 < report["messages_sent"] <= report["automation_runs"]
    # the schedule presets (win-back, expiry notice, birthday) ran once at the story's end
    assert 0 < report["automation_scheduled"] <= report["automation_runs"]
