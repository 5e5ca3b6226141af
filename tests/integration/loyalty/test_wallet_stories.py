"""Stored value (储值) on SQLite and PostgreSQL: a top-up at the bakery spent at the KTV, refunded
in part, the unused principal paid back by operator approval; the liability by collecting
merchant; every entry sums to zero with the platform and the ledger verifies clean."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from guildcard.audit.log import AuditFilter, query
from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.clock import FixedClock
from guildcard.ledger import AesGcmKeyStore, LedgerService
from guildcard.ledger.handlers import handlers as ledger_handlers
from guildcard.ledger.storage.tables import postings
from guildcard.loyalty.domain.errors import WalletInsufficient, WalletNotAllowed, WalletRefundDecided
from guildcard.loyalty.handlers import handlers as loyalty_handlers
from guildcard.loyalty.wallet_service import WalletService
from guildcard.pipeline import CommandBus

ALLIANCE = "al_chengdu"
NOW = datetime(2026, 12, 1, 4, 0, tzinfo=UTC)
KEYS = AesGcmKeyStore("test-data-key-0123456789abcdef0123456789")
OPERATOR = Actor(ActorKind.OPERATOR, "opr_wang", ALLIANCE, role="admin")
BAKERY = Actor(ActorKind.STAFF, "stf_bakery", ALLIANCE, role="cashier", merchant_id="mch_bakery")
KTV = Actor(ActorKind.STAFF, "stf_ktv", ALLIANCE, role="cashier", merchant_id="mch_ktv")
MEMBER = Actor(ActorKind.MEMBER, "mem_li", ALLIANCE)


@pytest.fixture
def bus(database):
    return CommandBus(database, FixedClock(NOW), [loyalty_handlers, ledger_handlers])


@pytest.fixture
def ledger(database, bus):
    service = LedgerService(database, clock=FixedClock(NOW), keys=KEYS, bus=bus)
    service.open_alliance_ledger(ALLIANCE)
    return service


@pytest.fixture
def wallets(database, bus, ledger):
    return WalletService(database, FixedClock(NOW), bus=bus)


def package_500_plus_50(wallets):
    return wallets.create_package(
        OPERATOR, name="充500送50", pay_fen=50_000, bonus_fen=5_000, idempotency_key="p1"
    ).value


def fen_balances(database):
    """Every FEN account's sum of postings: what a statement is made of."""
    with database.read() as conn:
        rows = conn.execute(
            select(postings.c.account, postings.c.amount).where(
                postings.c.alliance_id == ALLIANCE, postings.c.unit == "FEN"
            )
        ).all()
    out: dict[str, int] = {}
    for account, amount in rows:
        out[account] = out.get(account, 0) + int(amount)
    return out


def test_a_top_up_at_the_bakery_is_spent_at_the_ktv_refunded_in_part_and_the_rest_paid_back(
    wallets, ledger, database
):
    package = package_500_plus_50(wallets)
    topped = wallets.top_up(
        BAKERY,
        member_id="mem_li",
        merchant_id="mch_bakery",
        package_id=package.package_id,
        idempotency_key="t1",
    ).value
    assert (topped.balance.principal, topped.balance.bonus) == (50_000, 5_000)

    # ¥520 of KTV, principal first: ¥500 principal and ¥20 bonus.
    paid = wallets.pay(
        KTV, member_id="mem_li", merchant_id="mch_ktv", amount_fen=52_000, idempotency_key="w1"
    ).value
    assert (paid.principal_fen, paid.bonus_fen, paid.balance.total) == (50_000, 2_000, 3_000)
    # Half of the bill refunded: half of each part comes back.
    back = wallets.refund_payment(
        KTV, merchant_id="mch_ktv", payment_id=paid.payment_id, refund_fen=26_000, payable_fen=52_000,
        idempotency_key="r1",
    ).value  # fmt: skip
    assert (back.principal_fen, back.bonus_fen) == (25_000, 1_000)
    balance = wallets.balance(alliance_id=ALLIANCE, member_id="mem_li")
    assert (balance.principal, balance.bonus) == (25_000, 4_000)

    # The member asks for the unused principal: ¥250 less the ¥10 of bonus already used.
    request = wallets.request_refund(
        MEMBER, member_id="mem_li", lot_id=topped.topup_id, reason="搬家离开成都", idempotency_key="q1"
    ).value
    decided = wallets.decide_refund(
        OPERATOR, request_id=request.request_id, approve=True, idempotency_key="a1"
    ).value
    assert (decided.state, decided.paid_fen, decided.bonus_forfeited) == ("approved", 24_000, 4_000)
    assert wallets.balance(alliance_id=ALLIANCE, member_id="mem_li").total == 0
    with pytest.raises(WalletRefundDecided):
        wallets.decide_refund(OPERATOR, request_id=request.request_id, approve=True, idempotency_key="a2")

    fen = fen_balances(database)
    assert fen["merchant:mch_bakery:settlement"] == 50_000  # collected ¥500, owes it to the alliance
    assert fen["merchant:mch_ktv:settlement"] == -26_000  # ¥260 of wallet spent there, net of the refund
    assert sum(fen.values()) == 0  # with the platform
    assert ledger.verify(ALLIANCE) == {ALLIANCE: []}
    assert wallets.verify(alliance_id=ALLIANCE) == []
    with database.read() as conn:
        actions = [a.action for a in query(conn, ALLIANCE, AuditFilter())]
    assert "loyalty.principal_refund_approved" in actions


def test_liability_by_collecting_merchant_and_in_total(wallets):
    package = package_500_plus_50(wallets)
    wallets.top_up(
        BAKERY,
        member_id="mem_li",
        merchant_id="mch_bakery",
        package_id=package.package_id,
        idempotency_key="t1",
    )
    wallets.top_up(KTV, member_id="mem_zhao", merchant_id="mch_ktv", pay_fen=10_000, idempotency_key="t2")
    wallets.pay(KTV, member_id="mem_li", merchant_id="mch_ktv", amount_fen=1_000, idempotency_key="w1")
    liability = wallets.liability(alliance_id=ALLIANCE)
    assert liability.by_merchant == (("mch_bakery", 49_000, 5_000), ("mch_ktv", 10_000, 0))
    assert (liability.principal, liability.bonus) == (59_000, 5_000)


def test_a_payment_beyond_the_balance_is_refused_and_changes_nothing(wallets, database):
    wallets.top_up(BAKERY, member_id="mem_li", merchant_id="mch_bakery", pay_fen=5_000, idempotency_key="t1")
    with pytest.raises(WalletInsufficient):
        wallets.pay(KTV, member_id="mem_li", merchant_id="mch_ktv", amount_fen=5_001, idempotency_key="w1")
    assert wallets.balance(alliance_id=ALLIANCE, member_id="mem_li").principal == 5_000
    assert "merchant:mch_ktv:settlement" not in fen_balances(database)


def test_a_cashier_tops_up_only_at_their_own_merchant(wallets):
    with pytest.raises(WalletNotAllowed):
        wallets.top_up(KTV, member_id="mem_li", merchant_id="mch_bakery", pay_fen=5_000, idempotency_key="t1")


def test_bonus_first_spends_the_bonus_before_the_principal(wallets):
    package = package_500_plus_50(wallets)
    wallets.update_settings(OPERATOR, spend_order="bonus_first", earn_on="principal", idempotency_key="s1")
    wallets.top_up(
        BAKERY,
        member_id="mem_li",
        merchant_id="mch_bakery",
        package_id=package.package_id,
        idempotency_key="t1",
    )
    paid = wallets.pay(
        KTV, member_id="mem_li", merchant_id="mch_ktv", amount_fen=6_000, idempotency_key="w1"
    ).value
    assert (paid.principal_fen, paid.bonus_fen) == (1_000, 5_000)
