"""Random sequences of every ledger operation across members and merchants; every invariant
(``verify``) is checked after every step, and each step's visible effect is checked too."""

from __future__ import annotations

from contextlib import suppress
from datetime import timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    rule,
    run_state_machine_as_test,
)
from tests.integration.ledger.conftest import KEYS, START

from guildcard.kernel.clock import FixedClock, business_date
from guildcard.kernel.ids import new_id
from guildcard.ledger import ExpiryPolicy, LedgerService, NegativePolicy, chart
from guildcard.ledger.domain.errors import (
    AlreadyReversed,
    HoldNotActive,
    InsufficientPoints,
    NegativeLimitExceeded,
    ReversalExceedsOriginal,
)

MEMBERS = st.sampled_from(["ann", "bo", "cy"])
ISSUERS = st.sampled_from([chart.merchant_issued("tea"), chart.merchant_issued("gym"), chart.PLATFORM_GRANTS])
SPEND_AT = st.sampled_from(
    [chart.merchant_redeemed("tea"), chart.merchant_redeemed("gym"), chart.PLATFORM_MALL]
)
EXPIRY = st.sampled_from([None, ExpiryPolicy.rolling(1), ExpiryPolicy.rolling(3), ExpiryPolicy.never()])
AMOUNTS = st.integers(min_value=1, max_value=120)


def machine_for(database):
    class LedgerMachine(RuleBasedStateMachine):
        reversible = Bundle("reversible")
        holds = Bundle("holds")

        def __init__(self) -> None:
            super().__init__()
            self.clock = FixedClock(START)
            self.service = LedgerService(database, clock=self.clock, keys=KEYS)
            self.alliance = new_id("al")
            self.service.open_alliance_ledger(
                self.alliance, expiry=ExpiryPolicy.rolling(2), negative=NegativePolicy.allow_negative(60)
            )
            self.q = self.service.queries(self.alliance)
            self.n = 0

        def key(self) -> str:
            self.n += 1
            return f"k{self.n}"

        @rule(target=reversible, member=MEMBERS, issuer=ISSUERS, amount=AMOUNTS, expiry=EXPIRY)
        def award(self, member, issuer, amount, expiry):
            before = self.q.balance(member)
            key = self.key()
            result = self.service.award(
                self.alliance,
                member_id=member,
                issuer=issuer,
                amount=amount,
                expiry=expiry,
                idempotency_key=key,
            )
            after = self.q.balance(member)
            assert after.available - after.debt == before.available - before.debt + amount
            replay = self.service.award(
                self.alliance,
                member_id=member,
                issuer=issuer,
                amount=amount,
                expiry=expiry,
                idempotency_key=key,
            )
            assert replay.replayed
            assert replay.entry_id == result.entry_id
            return result.entry_id

        @rule(target=reversible, member=MEMBERS, issuer=ISSUERS, amount=AMOUNTS, hours=st.integers(1, 48))
        def award_pending(self, member, issuer, amount, hours):
            before = self.q.balance(member).pending
            result = self.service.award(
                self.alliance, member_id=member, issuer=issuer, amount=amount, idempotency_key=self.key(),
                available_at=self.clock.now() + timedelta(hours=hours),
            )  # fmt: skip
            assert self.q.balance(member).pending == before + amount
            return result.entry_id

        @rule()
        def release(self):
            self.service.release_pending(self.alliance)

        @rule(target=reversible, member=MEMBERS, at=SPEND_AT, amount=AMOUNTS)
        def spend(self, member, at, amount):
            before = self.q.balance(member).available
            try:
                result = self.service.spend(
                    self.alliance, member_id=member, at=at, amount=amount, idempotency_key=self.key()
                )
            except InsufficientPoints:
                assert amount > before
                return None
            assert self.q.balance(member).available == before - amount
            return result.entry_id

        @rule(target=holds, member=MEMBERS, amount=AMOUNTS, minutes=st.sampled_from([30, 240]))
        def hold(self, member, amount, minutes):
            before = self.q.balance(member)
            try:
                result = self.service.hold(
                    self.alliance, member_id=member, at=chart.PLATFORM_MALL, amount=amount,
                    idempotency_key=self.key(), ttl=timedelta(minutes=minutes),
                )  # fmt: skip
            except InsufficientPoints:
                assert amount > before.available
                return None
            assert self.q.balance(member).held == before.held + amount
            return result.hold_id

        @rule(target=reversible, hold=consumes(holds))
        def commit(self, hold):
            if hold is None:
                return None
            try:
                return self.service.commit_hold(self.alliance, hold, idempotency_key=self.key()).entry_id
            except HoldNotActive:
                return None

        @rule(hold=consumes(holds))
        def void(self, hold):
            if hold is not None:
                with suppress(HoldNotActive):
                    self.service.void_hold(self.alliance, hold, idempotency_key=self.key())

        @rule(entry=reversible, amount=st.one_of(st.none(), st.integers(1, 60)))
        def reverse(self, entry, amount):
            if entry is None:
                return
            with suppress(AlreadyReversed, ReversalExceedsOriginal, NegativeLimitExceeded):
                self.service.reverse(self.alliance, entry, amount=amount, idempotency_key=self.key())

        @rule()
        def expire(self):
            as_of = business_date(self.clock.now()) - timedelta(days=1)
            self.service.expire(self.alliance, as_of=as_of)
            assert self.service.expire(self.alliance, as_of=as_of).points == 0

        @rule()
        def void_timed_out_holds(self):
            self.service.void_expired_holds(self.alliance)

        @rule(hours=st.integers(1, 60))
        def clock_moves(self, hours):
            self.clock.advance(timedelta(hours=hours))

        @rule()
        def checkpoint(self):
            self.service.checkpoint(self.alliance)

        @invariant()
        def every_invariant_holds(self):
            assert self.service.verify(self.alliance) == {self.alliance: []}

    return LedgerMachine


def test_random_operation_sequences_keep_every_invariant(database):
    run_state_machine_as_test(
        machine_for(database),
        settings=settings(
            max_examples=20,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
