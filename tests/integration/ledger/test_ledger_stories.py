"""The ledger's stories, each on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import text
from tests.integration.ledger.conftest import ALLIANCE

from guildcard.kernel.errors import IdempotencyConflict
from guildcard.ledger import ExpiryPolicy, Posting, Unit, chart
from guildcard.ledger.bulk import AwardRequest
from guildcard.ledger.domain.errors import (
    AlreadyReversed,
    HoldNotActive,
    InsufficientPoints,
    InvalidAccount,
    NegativeLimitExceeded,
    ReversalExceedsOriginal,
    UnbalancedEntry,
)

A = ALLIANCE
HOTPOT, CINEMA = chart.merchant_issued("hotpot"), chart.merchant_issued("cinema")
AT_CINEMA, AT_HOTPOT = chart.merchant_redeemed("cinema"), chart.merchant_redeemed("hotpot")


def clean(service) -> None:
    assert service.verify(A) == {A: []}


def test_points_earned_at_one_merchant_are_spent_at_another_soonest_expiry_first(service, clock):
    service.award(A, member_id="lily", issuer=HOTPOT, amount=100, idempotency_key="o1")  # 30 days
    service.award(
        A, member_id="lily", issuer=CINEMA, amount=100, idempotency_key="o2", expiry=ExpiryPolicy.rolling(7)
    )
    spend = service.spend(A, member_id="lily", at=AT_CINEMA, amount=150, idempotency_key="pay1")
    q = service.queries(A)
    assert q.balance("lily").available == 50
    drawn = {(issuer, amount) for _, issuer, _, amount in q.consumptions(spend.entry_id)}
    assert drawn == {(CINEMA, 100), (HOTPOT, 50)}  # the 7-day lot went first
    flows = {(f.issuer, f.spent_at): f.points for f in q.flows()}
    assert flows == {(CINEMA, AT_CINEMA): 100, (HOTPOT, AT_CINEMA): 50}
    assert q.account_balance(HOTPOT) == -100
    assert q.account_balance(AT_CINEMA) == 150
    history = q.history("lily")
    assert (history[0].kind, history[0].points, history[0].counterparty) == ("spend", -150, AT_CINEMA)
    clean(service)


def test_a_spend_beyond_the_balance_is_refused_and_writes_nothing(service):
    service.award(A, member_id="lily", issuer=HOTPOT, amount=30, idempotency_key="o1")
    with pytest.raises(InsufficientPoints):
        service.spend(A, member_id="lily", at=AT_CINEMA, amount=31, idempotency_key="pay1")
    assert service.queries(A).balance("lily").available == 30
    # The key was not used up by the refused attempt.
    assert (
        service.spend(A, member_id="lily", at=AT_CINEMA, amount=30, idempotency_key="pay1").replayed is False
    )
    clean(service)


def test_a_replay_returns_the_first_result_and_a_different_request_conflicts(service):
    first = service.award(A, member_id="lily", issuer=HOTPOT, amount=100, idempotency_key="o1")
    again = service.award(A, member_id="lily", issuer=HOTPOT, amount=100, idempotency_key="o1")
    assert again.replayed
    assert (again.entry_id, again.lot_id) == (first.entry_id, first.lot_id)
    with pytest.raises(IdempotencyConflict):
        service.award(A, member_id="lily", issuer=HOTPOT, amount=101, idempotency_key="o1")
    assert service.queries(A).balance("lily").available == 100
    clean(service)


def test_a_hold_is_committed_or_voided_once_and_times_out_by_itself(service, clock):
    service.award(A, member_id="lily", issuer=HOTPOT, amount=100, idempotency_key="o1")
    mall = service.hold(A, member_id="lily", at=chart.PLATFORM_MALL, amount=60, idempotency_key="h1")
    q = service.queries(A)
    assert (q.balance("lily").available, q.balance("lily").held) == (40, 60)
    service.commit_hold(A, mall.hold_id, idempotency_key="c1")
    with pytest.raises(HoldNotActive):
        service.void_hold(A, mall.hold_id, idempotency_key="v1")
    assert q.account_balance(chart.PLATFORM_MALL) == 60
    late = service.hold(A, member_id="lily", at=chart.PLATFORM_MALL, amount=40, idempotency_key="h2")
    clock.advance(timedelta(hours=1))
    assert service.void_expired_holds(A).entries == 1
    with pytest.raises(HoldNotActive):
        service.commit_hold(A, late.hold_id, idempotency_key="c2")
    assert (q.balance("lily").available, q.balance("lily").held) == (40, 0)
    clean(service)


def test_pending_points_are_released_by_the_job_or_voided_by_a_refund(service, clock):
    later = clock.now() + timedelta(days=7)
    kept = service.award(
        A, member_id="lily", issuer=HOTPOT, amount=80, idempotency_key="o1", available_at=later
    )
    refunded = service.award(
        A, member_id="lily", issuer=HOTPOT, amount=20, idempotency_key="o2", available_at=later
    )
    q = service.queries(A)
    assert (q.balance("lily").available, q.balance("lily").pending) == (0, 100)
    with pytest.raises(InsufficientPoints):
        service.spend(A, member_id="lily", at=AT_CINEMA, amount=1, idempotency_key="pay1")
    service.void_pending(A, refunded.entry_id, idempotency_key="refund-o2")
    assert service.release_pending(A).lots == 0  # not yet time
    clock.advance(timedelta(days=8))
    assert service.release_pending(A).lots == 1
    assert service.release_pending(A).lots == 0
    assert (q.balance("lily").available, q.balance("lily").pending) == (80, 0)
    assert kept.lot_id in {lot.id for lot in q.lots("lily")}
    clean(service)


def test_partial_refunds_never_exceed_the_original_and_a_full_reversal_happens_once(service):
    service.award(A, member_id="lily", issuer=HOTPOT, amount=100, idempotency_key="o1")
    spend = service.spend(A, member_id="lily", at=AT_CINEMA, amount=90, idempotency_key="pay1")
    service.reverse(A, spend.entry_id, amount=30, idempotency_key="refund-1")
    service.reverse(A, spend.entry_id, amount=30, idempotency_key="refund-2")
    with pytest.raises(ReversalExceedsOriginal):
        service.reverse(A, spend.entry_id, amount=31, idempotency_key="refund-3")
    rest = service.reverse(A, spend.entry_id, idempotency_key="refund-rest")
    assert rest.amount == 30
    with pytest.raises(AlreadyReversed):
        service.reverse(A, spend.entry_id, idempotency_key="refund-again")
    assert service.reverse(A, spend.entry_id, idempotency_key="refund-rest").replayed
    assert service.queries(A).balance("lily").available == 100
    clean(service)


def test_a_refunded_spend_returns_points_to_their_lots_and_expired_ones_to_breakage(service, clock):
    short = service.award(
        A, member_id="lily", issuer=CINEMA, amount=50, idempotency_key="o1", expiry=ExpiryPolicy.rolling(1)
    )
    long = service.award(A, member_id="lily", issuer=HOTPOT, amount=50, idempotency_key="o2")
    spend = service.spend(A, member_id="lily", at=AT_HOTPOT, amount=100, idempotency_key="pay1")
    clock.advance(timedelta(days=3))  # the 1-day lot is past its date
    refund = service.reverse(A, spend.entry_id, idempotency_key="refund")
    assert refund.to_breakage == 50
    q = service.queries(A)
    lots = {lot.id: lot.remaining for lot in q.lots("lily", open_only=False)}
    assert lots == {short.lot_id: 0, long.lot_id: 50}
    assert q.balance("lily").available == 50
    assert q.account_balance(chart.PLATFORM_BREAKAGE) == 50
    clean(service)


def test_a_clawback_may_go_negative_within_the_limit_and_later_awards_repay_first(service):
    award = service.award(A, member_id="lily", issuer=HOTPOT, amount=150, idempotency_key="o1")
    service.spend(A, member_id="lily", at=AT_CINEMA, amount=150, idempotency_key="pay1")
    service.reverse(A, award.entry_id, idempotency_key="refund-o1")
    q = service.queries(A)
    assert (q.balance("lily").available, q.balance("lily").debt) == (0, 150)
    repay = service.award(A, member_id="lily", issuer=CINEMA, amount=100, idempotency_key="o2")
    assert repay.debt_repaid == 100
    service.award(A, member_id="lily", issuer=CINEMA, amount=100, idempotency_key="o3")
    assert (q.balance("lily").available, q.balance("lily").debt) == (50, 0)
    big = service.award(A, member_id="max", issuer=HOTPOT, amount=300, idempotency_key="o4")
    service.spend(A, member_id="max", at=AT_CINEMA, amount=300, idempotency_key="pay4")
    with pytest.raises(NegativeLimitExceeded):
        service.reverse(A, big.entry_id, idempotency_key="refund-o4")  # limit is 200
    clean(service)


def test_an_alliance_that_blocks_negatives_refuses_the_clawback(strict_service):
    award = strict_service.award(A, member_id="lily", issuer=HOTPOT, amount=100, idempotency_key="o1")
    strict_service.spend(A, member_id="lily", at=AT_CINEMA, amount=60, idempotency_key="pay1")
    with pytest.raises(NegativeLimitExceeded):
        strict_service.reverse(A, award.entry_id, idempotency_key="refund-o1")
    strict_service.reverse(A, award.entry_id, amount=40, idempotency_key="refund-part")
    assert strict_service.queries(A).balance("lily").available == 0
    clean(strict_service)


def test_expiry_moves_remainders_to_breakage_once_per_date(service, clock):
    service.award(A, member_id="lily", issuer=HOTPOT, amount=100, idempotency_key="o1")  # ends 2026-04-01
    service.award(
        A, member_id="lily", issuer=HOTPOT, amount=10, idempotency_key="o2", expiry=ExpiryPolicy.never()
    )
    service.award(
        A, member_id="max", issuer=CINEMA, amount=70, idempotency_key="o3", expiry=ExpiryPolicy.calendar(1)
    )
    service.spend(A, member_id="lily", at=AT_CINEMA, amount=40, idempotency_key="pay1")
    q = service.queries(A)
    assert [lot.remaining for lot in q.expiring_within("lily", days=31, now=clock.now())] == [60]
    assert service.expire(A, as_of=date(2026, 3, 31)).points == 0
    first = service.expire(A, as_of=date(2026, 4, 1))
    assert (first.lots, first.points) == (1, 60)
    assert service.expire(A, as_of=date(2026, 4, 1)).points == 0
    assert (q.balance("lily").available, q.balance("max").available) == (10, 70)
    assert service.expire(A, as_of=date(2027, 12, 31)).points == 70  # calendar: end of next year
    assert q.account_balance(chart.PLATFORM_BREAKAGE) == 130
    clean(service)


def test_points_released_after_the_days_expiry_run_expire_on_the_next_run_of_that_day(service, clock):
    """Pending points whose date passed while they waited: a later run for the same day expires them."""
    one_day = ExpiryPolicy.rolling(1)
    service.award(A, member_id="lily", issuer=HOTPOT, amount=5, idempotency_key="p1", expiry=one_day)
    service.award(
        A, member_id="lily", issuer=HOTPOT, amount=7, idempotency_key="p2", expiry=one_day,
        available_at=clock.now() + timedelta(hours=1),
    )  # fmt: skip
    clock.advance(timedelta(days=3))
    day = date(2026, 3, 4)
    assert service.expire(A, as_of=day).points == 5  # the pending lot waits for its release
    service.release_pending(A)
    assert service.expire(A, as_of=day).points == 7
    assert service.expire(A, as_of=day).points == 0
    assert service.queries(A).balance("lily").available == 0
    assert service.queries(A).account_balance(chart.PLATFORM_BREAKAGE) == 12
    clean(service)


def test_settlement_posts_balanced_fen_entries_and_an_unbalanced_one_cannot_be_built(service):
    lines = [
        Posting(chart.merchant_settlement("hotpot"), Unit.FEN, 1200),
        Posting("platform:revenue:commission", Unit.FEN, -1200),
    ]
    posted = service.post(A, kind="settle", postings=lines, idempotency_key="stmt-2026-03")
    with pytest.raises(UnbalancedEntry):
        service.post(A, kind="settle", postings=lines[:1], idempotency_key="bad")
    with pytest.raises(InvalidAccount):
        service.post(
            A,
            kind="gift",
            postings=[Posting(chart.member_points("lily"), Unit.POINT, 5), Posting(HOTPOT, Unit.POINT, -5)],
            idempotency_key="sneaky",
        )
    service.reverse(A, posted.entry_id, idempotency_key="stmt-fix")
    assert service.queries(A).account_balance(chart.merchant_settlement("hotpot")) == 0
    service.grant_growth(A, member_id="lily", amount=12, idempotency_key="g1")
    assert service.queries(A).balance("lily").growth == 12
    clean(service)


def test_merchant_and_platform_accounts_carry_no_cached_balance(service, database):
    service.award(A, member_id="lily", issuer=HOTPOT, amount=100, idempotency_key="o1")
    service.spend(A, member_id="lily", at=AT_CINEMA, amount=10, idempotency_key="pay1")
    with database.read() as conn:
        rows = dict(conn.execute(text("SELECT code, balance FROM ledger_accounts")).all())
    assert rows == {chart.member_points("lily"): 90, HOTPOT: None, AT_CINEMA: None}


def test_a_bulk_award_repays_debt_replays_and_matches_single_awards(service):
    award = service.award(A, member_id="lily", issuer=HOTPOT, amount=50, idempotency_key="o1")
    service.spend(A, member_id="lily", at=AT_CINEMA, amount=50, idempotency_key="pay1")
    service.reverse(A, award.entry_id, idempotency_key="refund-o1")  # lily owes 50
    batch = [
        AwardRequest("lily", chart.PLATFORM_GRANTS, 30, "camp-lily-1"),
        AwardRequest("lily", chart.PLATFORM_GRANTS, 30, "camp-lily-2"),
        AwardRequest("max", chart.PLATFORM_GRANTS, 30, "camp-max"),
    ]
    first = service.award_many(A, batch)
    assert [r.debt_repaid for r in first] == [30, 20, 0]
    again = service.award_many(A, batch)
    assert all(r.replayed for r in again)
    assert [r.entry_id for r in again] == [r.entry_id for r in first]
    q = service.queries(A)
    assert (q.balance("lily").available, q.balance("max").available) == (10, 30)
    with pytest.raises(IdempotencyConflict):
        service.award_many(A, [AwardRequest("max", chart.PLATFORM_GRANTS, 31, "camp-max")])
    clean(service)
