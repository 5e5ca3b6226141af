"""Stored-value top-up codes (储值卡密) on SQLite and PostgreSQL: a batch paid for by the bakery,
exported once and kept only hashed; a member redeems a code into the wallet (a ledger entry on the
bakery's settlement, summing to zero with the platform), once only, never when voided or expired,
a few tries an hour; 20 simultaneous redemptions of one code on PostgreSQL credit it once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from tests.support.race import race

from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.clock import FixedClock
from guildcard.kernel.errors import PermissionDenied
from guildcard.ledger import AesGcmKeyStore, LedgerService
from guildcard.ledger.handlers import handlers as ledger_handlers
from guildcard.ledger.storage.tables import entries, postings
from guildcard.loyalty.domain.errors import (
    TooManyCodeAttempts,
    TopUpCodeNotUsable,
    WalletNotAllowed,
    WalletNotFound,
)
from guildcard.loyalty.handlers import handlers as loyalty_handlers
from guildcard.loyalty.storage.tables import loyalty_topup_codes
from guildcard.loyalty.tier_handlers import LoyaltyDeps
from guildcard.loyalty.wallet_service import WalletService, codes_csv
from guildcard.pipeline import CommandBus
from guildcard.privacy.cipher import LookupHasher

ALLIANCE = "al_chengdu"
NOW = datetime(2026, 12, 1, 4, 0, tzinfo=UTC)
KEYS = AesGcmKeyStore("test-data-key-0123456789abcdef0123456789")
OPERATOR = Actor(ActorKind.OPERATOR, "opr_wang", ALLIANCE, role="admin")
BAKERY_OWNER = Actor(ActorKind.STAFF, "stf_bo", ALLIANCE, role="owner", merchant_id="mch_bakery")
BAKERY_CASHIER = Actor(ActorKind.STAFF, "stf_bc", ALLIANCE, role="cashier", merchant_id="mch_bakery")
KTV_OWNER = Actor(ActorKind.STAFF, "stf_ko", ALLIANCE, role="owner", merchant_id="mch_ktv")


def member(member_id: str) -> Actor:
    return Actor(ActorKind.MEMBER, member_id, ALLIANCE)


def wallet_service(database, clock) -> tuple[WalletService, LedgerService]:
    bus = CommandBus(database, clock, [loyalty_handlers, ledger_handlers])
    bus.provide("loyalty", LoyaltyDeps(lookup=LookupHasher("test-lookup-key-0123456789abcdef")))
    ledger = LedgerService(database, clock=clock, keys=KEYS, bus=bus)
    ledger.open_alliance_ledger(ALLIANCE)
    return WalletService(database, clock, bus=bus), ledger


def batch_of(wallets, actor=BAKERY_OWNER, *, size=3, key="b1", face_fen=10_000):
    return wallets.generate_codes(
        actor,
        merchant_id="mch_bakery",
        face_fen=face_fen,
        size=size,
        expires_at=NOW + timedelta(days=90),
        idempotency_key=key,
    )


def test_a_code_bought_at_the_bakery_tops_up_the_wallet_once_and_the_bakery_owes_it(database):
    clock = FixedClock(NOW)
    wallets, ledger = wallet_service(database, clock)
    first = batch_of(wallets)
    batch = first.value
    assert len(batch.codes) == len(set(batch.codes)) == 3
    exported = codes_csv(batch).splitlines()
    assert exported[0] == "code,face_yuan,expires_at,batch_id"
    assert sorted(line.split(",")[0] for line in exported[1:]) == sorted(batch.codes)
    assert {line.split(",")[1] for line in exported[1:]} == {"100.00"}
    # Exported once: a replay of the command answers without the codes, and no row holds one.
    replay = batch_of(wallets)
    assert (replay.replayed, replay.value.batch_id, replay.value.codes) == (True, batch.batch_id, ())
    with database.read() as conn:
        stored = {r.code_hash for r in conn.execute(select(loyalty_topup_codes.c.code_hash))}
    assert stored.isdisjoint(batch.codes)
    assert len(stored) == 3

    code = batch.codes[0]
    typed = f"{code[:4].lower()}-{code[4:8]} {code[8:]}"  # as a member types it off the card
    topped = wallets.redeem_code(member("mem_li"), member_id="mem_li", code=typed, idempotency_key="r1").value
    assert (topped.principal_fen, topped.bonus_fen, topped.merchant_id) == (10_000, 0, "mch_bakery")
    assert wallets.balance(alliance_id=ALLIANCE, member_id="mem_li").principal == 10_000
    assert [m.kind for m in wallets.history(alliance_id=ALLIANCE, member_id="mem_li")] == ["topup"]
    with pytest.raises(TopUpCodeNotUsable):
        wallets.redeem_code(member("mem_zhao"), member_id="mem_zhao", code=code, idempotency_key="r2")

    with database.read() as conn:
        kinds = [
            k
            for (k,) in conn.execute(select(entries.c.kind).where(entries.c.alliance_id == ALLIANCE))
            if k.startswith("wallet")
        ]
        fen: dict[str, int] = {}
        for account, amount in conn.execute(
            select(postings.c.account, postings.c.amount).where(postings.c.unit == "FEN")
        ):
            fen[account] = fen.get(account, 0) + int(amount)
    assert kinds == ["wallet_topup"]  # the settlement line 代收储值 on the bakery's statement
    assert fen["merchant:mch_bakery:settlement"] == 10_000  # sold the card, owes its face value
    assert fen["platform:wallet"] == -10_000  # the alliance holds the liability
    assert sum(fen.values()) == 0
    assert wallets.liability(alliance_id=ALLIANCE).by_merchant == (("mch_bakery", 10_000, 0),)
    assert ledger.verify(ALLIANCE) == {ALLIANCE: []}
    assert wallets.verify(alliance_id=ALLIANCE) == []

    # Voided codes and expired ones credit nothing.
    assert wallets.void_codes(OPERATOR, batch_id=batch.batch_id, idempotency_key="v1").value == 2
    with pytest.raises(TopUpCodeNotUsable):
        wallets.redeem_code(
            member("mem_zhao"), member_id="mem_zhao", code=batch.codes[1], idempotency_key="r3"
        )
    later = batch_of(wallets, OPERATOR, size=1, key="b2").value
    clock.advance(timedelta(days=91))
    with pytest.raises(TopUpCodeNotUsable):
        wallets.redeem_code(
            member("mem_zhao"), member_id="mem_zhao", code=later.codes[0], idempotency_key="r4"
        )
    assert wallets.balance(alliance_id=ALLIANCE, member_id="mem_zhao").total == 0
    states = {b["batch_id"]: b["states"] for b in wallets.code_batches(alliance_id=ALLIANCE)}
    assert states[batch.batch_id] == {"used": 1, "void": 2}


def test_who_may_generate_void_and_redeem(database):
    wallets, _ = wallet_service(database, FixedClock(NOW))
    with pytest.raises(PermissionDenied):  # a cashier's role holds no code batches
        batch_of(wallets, BAKERY_CASHIER)
    with pytest.raises(WalletNotAllowed):  # an owner issues only codes its own merchant pays for
        batch_of(wallets, KTV_OWNER)
    batch = batch_of(wallets, size=1).value
    with pytest.raises(WalletNotFound):  # nor voids another merchant's batch
        wallets.void_codes(KTV_OWNER, batch_id=batch.batch_id, idempotency_key="v1")
    with pytest.raises(WalletNotAllowed):  # a member redeems into their own wallet only
        wallets.redeem_code(member("mem_li"), member_id="mem_zhao", code=batch.codes[0], idempotency_key="r1")
    assert wallets.code_batches(alliance_id=ALLIANCE, merchant_id="mch_ktv") == []


def test_a_member_gets_ten_tries_an_hour(database):
    clock = FixedClock(NOW)
    wallets, _ = wallet_service(database, clock)
    good = batch_of(wallets, size=1).value.codes[0]
    for i in range(10):
        with pytest.raises(TopUpCodeNotUsable):
            wallets.redeem_code(
                member("mem_li"), member_id="mem_li", code=f"WRONG{i}", idempotency_key=f"w{i}"
            )
    with pytest.raises(TooManyCodeAttempts) as raised:  # even the right code waits now
        wallets.redeem_code(member("mem_li"), member_id="mem_li", code=good, idempotency_key="ok")
    assert raised.value.code == "loyalty.too_many_code_attempts"
    assert wallets.balance(alliance_id=ALLIANCE, member_id="mem_li").total == 0
    # Another member is not held up.
    wallets.redeem_code(member("mem_zhao"), member_id="mem_zhao", code=good, idempotency_key="z1")
    assert wallets.balance(alliance_id=ALLIANCE, member_id="mem_zhao").total == 10_000


def test_twenty_simultaneous_redemptions_of_one_code_credit_it_once(pg_database):
    wallets, ledger = wallet_service(pg_database, FixedClock(NOW))
    code = batch_of(wallets, size=1).value.codes[0]
    done = race(
        20,
        lambda i: wallets.redeem_code(
            member(f"mem_{i}"), member_id=f"mem_{i}", code=code, idempotency_key=f"r{i}"
        ),
        TopUpCodeNotUsable,
    )
    assert done.errors == []
    assert (len(done.won), len(done.lost)) == (1, 19)
    assert wallets.liability(alliance_id=ALLIANCE).principal == 10_000
    assert ledger.verify(ALLIANCE) == {ALLIANCE: []}
