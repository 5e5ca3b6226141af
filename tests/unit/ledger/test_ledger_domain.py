"""The ledger's pure model: balanced entries, lot order, expiry policies, Merkle proofs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from guildcard.ledger.domain.entries import Entry, Posting, Unit, parse_account, transfer
from guildcard.ledger.domain.errors import InsufficientPoints, UnbalancedEntry
from guildcard.ledger.domain.lots import Draw, Lot, plan_draws, plan_restores
from guildcard.ledger.domain.merkle import inclusion_path, leaf_hash, merkle_root, root_from_path
from guildcard.ledger.domain.policy import ExpiryPolicy, NegativePolicy

T0 = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai


def entry(*postings: Posting) -> Entry:
    return Entry(id="ent_1", alliance_id="al_1", kind="t", occurred_at=T0, recorded_at=T0, postings=postings)


def test_an_entry_must_balance_per_unit():
    entry(*transfer("merchant:a:issued", "member:m:points", Unit.POINT, 10))
    with pytest.raises(UnbalancedEntry):
        entry(Posting("merchant:a:issued", Unit.POINT, -10), Posting("member:m:points", Unit.POINT, 9))
    with pytest.raises(UnbalancedEntry):  # balanced in sum, not per unit
        entry(Posting("merchant:a:settlement", Unit.FEN, -10), Posting("member:m:points", Unit.POINT, 10))
    with pytest.raises(UnbalancedEntry):
        entry(Posting("merchant:a:issued", Unit.POINT, 0))


def test_account_codes_name_their_owner():
    assert parse_account("member:m1:points").owner_id == "m1"
    assert parse_account("platform:revenue:commission").name == "revenue:commission"
    with pytest.raises(ValueError, match="account"):
        parse_account("member::points")


def lot(lot_id: str, remaining: int, days: int | None, age: int = 0) -> Lot:
    expires = T0 + timedelta(days=days) if days is not None else None
    return Lot(lot_id, "m", "merchant:a:issued", remaining, remaining, T0 - timedelta(days=age), expires)


def test_spending_takes_the_soonest_expiry_first_then_the_oldest():
    lots = [
        lot("never", 50, None),
        lot("late", 50, 90),
        lot("soon-new", 20, 10, age=1),
        lot("soon-old", 20, 10, age=5),
    ]
    assert plan_draws(lots, 70) == [Draw("soon-old", 20), Draw("soon-new", 20), Draw("late", 30)]
    with pytest.raises(InsufficientPoints):
        plan_draws(lots, 141)


def test_a_refund_restores_the_last_drawn_lots_first():
    drawn = [Draw("a", 20), Draw("b", 30)]
    assert plan_restores(drawn, 40) == [Draw("b", 30), Draw("a", 10)]


def test_expiry_policies():
    assert ExpiryPolicy.never().expires_at(T0) is None
    # rolling: to the end of the Nth business day after the award (Shanghai midnight, in UTC)
    assert ExpiryPolicy.rolling(30).expires_at(T0) == datetime(2026, 4, 1, 16, 0, tzinfo=UTC)
    # calendar "1年制": points of 2026 expire at the end of 2027
    assert ExpiryPolicy.calendar(1).expires_at(T0) == datetime(2027, 12, 31, 16, 0, tzinfo=UTC)
    assert NegativePolicy().floor == 0
    assert NegativePolicy.allow_negative(500).floor == -500


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, 13])
def test_every_leaf_has_a_proof_and_a_wrong_one_fails(size):
    leaves = [leaf_hash(f"entry {n}".encode()) for n in range(size)]
    root = merkle_root(leaves)
    for index in range(size):
        path = inclusion_path(leaves, index)
        assert root_from_path(leaves[index], index, size, path) == root
        assert root_from_path(leaf_hash(b"forged"), index, size, path) != root
