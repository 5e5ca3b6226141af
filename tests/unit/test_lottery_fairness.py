"""The lottery's mapping: HMAC numbers, rejection sampling without modulo bias, the commitment."""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter

from guildcard.rewards.domain.lottery import (
    DrawRecord,
    Outcome,
    Prize,
    PrizeKind,
    check_draw,
    choose,
    commitment,
    pick,
    table_hash,
)

SEED = "11" * 32
TABLE = (
    Prize("p1", "100 积分", PrizeKind.POINTS, weight=1, stock=3, points=100),
    Prize("p2", "谢谢参与", PrizeKind.NONE, weight=2),
)


def test_the_random_number_is_the_hmac_of_campaign_member_and_draw_number():
    r, _ = choose(TABLE, seed_hex=SEED, campaign_id="lot_1", member_id="mem_a", n=3)
    assert r == hmac.new(bytes.fromhex(SEED), b"lot_1:mem_a:3", hashlib.sha256).digest()


def test_a_candidate_above_the_largest_multiple_of_the_weights_is_rejected():
    total = 3
    space = 1 << 64
    limit = space - space % total  # 2^64 - 1: candidates >= it would favour the first prize
    rejected = (space - 1).to_bytes(8, "big")
    accepted = (4).to_bytes(8, "big")  # 4 % 3 = 1 -> the second prize's range
    r = rejected + accepted + bytes(16)
    assert limit == space - 1
    assert pick(TABLE, r, seed_hex=SEED, message="x").id == "p2"


def test_the_draws_follow_the_weights():
    picked = Counter(choose(TABLE, seed_hex=SEED, campaign_id="lot_1", member_id=f"m{i}", n=1)[1].id
                     for i in range(3_000))  # fmt: skip
    assert 900 < picked["p1"] < 1_100


def test_the_commitment_binds_the_seed_and_the_prize_table():
    digest = table_hash(TABLE)
    assert commitment("lot_1", SEED, digest) != commitment("lot_1", "22" * 32, digest)
    changed = (TABLE[0], Prize("p2", "谢谢参与", PrizeKind.NONE, weight=3))
    assert table_hash(changed) != digest


def test_a_record_claiming_another_prize_is_caught():
    r, chosen = choose(TABLE, seed_hex=SEED, campaign_id="lot_1", member_id="mem_a", n=1)
    record = DrawRecord(
        id="drw_1", alliance_id="al", campaign_id="lot_1", member_id="mem_a", n=1, random_hex=r.hex(),
        chosen=chosen.id, awarded=chosen.id if chosen.kind is PrizeKind.POINTS else None,
        outcome=Outcome.WON if chosen.kind is PrizeKind.POINTS else Outcome.NO_PRIZE,
        stock_before=3 if chosen.kind is PrizeKind.POINTS else None, cost_points=0, drawn_at="t",
    )  # fmt: skip
    assert check_draw(record, TABLE, seed_hex=SEED) == []
    other = "p2" if chosen.id == "p1" else "p1"
    assert check_draw(DrawRecord(**{**record.__dict__, "chosen": other}), TABLE, seed_hex=SEED)
