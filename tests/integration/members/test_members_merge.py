"""Find the duplicates of an imported file, merge a pair, undo it: balances, lots and totals hold."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from itertools import count

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from tests.integration.members.people_world import as_table, bakery_rows, people_world

from guildcard.kernel.actors import Actor, ActorKind, system_actor
from guildcard.ledger import NegativePolicy
from guildcard.ledger.domain import entries as chart
from guildcard.ledger.queries.accounts import LedgerQueries
from guildcard.members.errors import MergeNotAllowed, MergeRefused, UnmergeRefused
from guildcard.members.storage.repository import MemberRepository

pytestmark = pytest.mark.slow
_phones = count(1)


def _snapshot(world, *member_ids: str):
    """Each member's balance and open lots, and the alliance's totals per account (all of them)."""
    with world.container.database.read() as conn:
        queries = LedgerQueries(conn, alliance_id=world.alliance_id)
        balances = {m: queries.balance(m) for m in member_ids}
        lots = Counter(
            tuple(r)
            for r in conn.execute(
                text(
                    "SELECT issuer, remaining, state, expires_at FROM ledger_lots "
                    "WHERE alliance_id = :a AND remaining > 0 AND member_id IN ("
                    + ",".join(f"'{m}'" for m in member_ids)
                    + ")"
                ),
                {"a": world.alliance_id},
            )
        )
        totals = dict(
            conn.execute(
                text(
                    "SELECT account, sum(amount) FROM ledger_postings WHERE alliance_id = :a "
                    "AND account NOT LIKE 'member:%' GROUP BY account"
                ),
                {"a": world.alliance_id},
            ).all()
        )
        member_total = conn.execute(
            text(
                "SELECT sum(amount) FROM ledger_postings WHERE alliance_id = :a AND account LIKE 'member:%'"
            ),
            {"a": world.alliance_id},
        ).scalar()
    return balances, lots, totals, member_total


def _wallets(world, *member_ids: str) -> dict[str, tuple[int, int]]:
    """Each member's stored value (principal, bonus)."""
    wallets = world.container.wallets
    balances = {m: wallets.balance(alliance_id=world.alliance_id, member_id=m) for m in member_ids}
    return {m: (b.principal, b.bonus) for m, b in balances.items()}


def _import(world, rows):
    return world.container.members.imports.import_members(
        system_actor(world.alliance_id, "cli"),
        alliance_id=world.alliance_id,
        merchant_id=world.merchant_id,
        table=as_table(rows),
        source_name="bakery.csv",
        basis="b",
    )


def test_find_review_merge_and_undo_a_duplicate(database):
    world = people_world(database, "merge")
    with world.client:
        rows = bakery_rows(60)
        assert rows[5][1:3] == ["杨伟", "13900000005"]
        twin = list(rows[5])  # the same customer again, with a new member id, a typo'd phone, pinyin name
        twin[0], twin[1], twin[2], twin[6] = "B99999", "Wei Yang", "13907000005", "30"
        twin[3] = rows[5][3].replace("-", "")
        _import(world, [*rows, twin])
        admin = Actor(ActorKind.OPERATOR, "op_admin", world.alliance_id, role="admin")
        merging = world.container.members.merging
        run = merging.find_duplicates(admin, world.alliance_id)
        assert run.compared == 61
        assert run.added >= 1
        pair = merging.pairs(world.alliance_id)[0]
        assert pair.contributions["birthday"]["weight"] > 0
        deps = world.container.members.deps
        with deps.database.read() as conn:
            repo = MemberRepository(conn, deps.cipher, deps.lookup)
            names = {repo.get(world.alliance_id, pair.member_l).profile.display_name,
                     repo.get(world.alliance_id, pair.member_r).profile.display_name}  # fmt: skip
        assert names == {rows[5][1], "Wei Yang"}
        assert merging.find_duplicates(admin, world.alliance_id).added == 0  # incremental: nothing new

        before = _snapshot(world, pair.member_l, pair.member_r)
        with pytest.raises(MergeNotAllowed):
            merging.merge(Actor(ActorKind.OPERATOR, "op_v", world.alliance_id, role="viewer"),
                          world.alliance_id, pair.member_l, pair.member_r)  # fmt: skip
        merged = merging.merge(admin, world.alliance_id, pair.member_l, pair.member_r, pair.pair_id)
        assert world.verify() == []
        after = _snapshot(world, pair.member_l, pair.member_r)
        total = before[0][pair.member_l].available + before[0][pair.member_r].available
        assert after[0][pair.member_l].available == total
        assert after[0][pair.member_r].available == 0
        assert after[2] == before[2]  # the merchants' and platform's accounts: settlement unchanged
        # the absorbed member's phone now finds the survivor
        with deps.database.read() as conn:
            repo = MemberRepository(conn, deps.cipher, deps.lookup)
            absorbed_phone = repo.get(world.alliance_id, pair.member_r).phone
            assert repo.by_phone(world.alliance_id, absorbed_phone).member_id == pair.member_l
        with pytest.raises(MergeRefused):
            merging.merge(admin, world.alliance_id, pair.member_l, pair.member_r)

        merging.unmerge(admin, world.alliance_id, merged.merge_id)
        assert world.verify() == []
        assert _snapshot(world, pair.member_l, pair.member_r) == before
        with pytest.raises(UnmergeRefused):
            merging.unmerge(admin, world.alliance_id, merged.merge_id)


def test_an_undo_says_why_not_when_the_moved_points_were_spent(database):
    world = people_world(database, "spent")
    with world.client:
        _import(world, bakery_rows(3))
        admin = Actor(ActorKind.OPERATOR, "op_admin", world.alliance_id, role="admin")
        ids = _member_ids(world)
        merging = world.container.members.merging
        ledger = world.container.ledger()
        ledger.award(world.alliance_id, member_id=ids[1], issuer=chart.merchant_issued(world.merchant_id),
                     amount=50, idempotency_key="a1")  # fmt: skip
        merged = merging.merge(admin, world.alliance_id, ids[0], ids[1])
        ledger.spend(world.alliance_id, member_id=ids[0], at=chart.merchant_redeemed(world.merchant_id),
                     amount=merged.points, idempotency_key="s1")  # fmt: skip
        with pytest.raises(UnmergeRefused, match="not all there"):
            merging.unmerge(admin, world.alliance_id, merged.merge_id)
        world.container.clock.advance(timedelta(days=31))
        with pytest.raises(UnmergeRefused, match="30 days"):
            merging.unmerge(admin, world.alliance_id, merged.merge_id)
        assert world.verify() == []


def _member_ids(world) -> list[str]:
    with world.container.database.read() as conn:
        return [
            r[0]
            for r in conn.execute(
                text(
                    "SELECT member_id FROM members WHERE alliance_id = :a AND status = 'active' "
                    "ORDER BY number"
                ),
                {"a": world.alliance_id},
            )
        ]


top_ups = st.lists(st.integers(1, 50_000), max_size=2)  # stored value, in fen
holdings = st.lists(st.tuples(st.integers(1, 500), st.booleans(), st.integers(0, 3)), min_size=0, max_size=4)


def test_merge_then_unmerge_leaves_every_balance_lot_and_total_as_it_was(database):
    world = people_world(database, "prop")
    with world.client:
        admin = Actor(ActorKind.OPERATOR, "op_admin", world.alliance_id, role="admin")
        ledger = world.container.ledger()
        issuer = chart.merchant_issued(world.merchant_id)

        cashier = Actor(
            ActorKind.STAFF, "stf_x", world.alliance_id, role="cashier", merchant_id=world.merchant_id
        )

        @settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
        @given(
            left=holdings, right=holdings, spend=st.integers(0, 100), growth=st.integers(0, 50),
            wallets=st.tuples(top_ups, top_ups),
            hold=st.integers(0, 60),
        )  # fmt: skip
        def check(*, left, right, spend, growth, wallets, hold):
            n = next(_phones)
            rows = bakery_rows(2)
            rows[0][0], rows[0][2], rows[0][6] = f"P{n}a", f"1370000{n:04d}", "0"
            rows[1][0], rows[1][2], rows[1][6] = f"P{n}b", f"1371000{n:04d}", "0"
            _import(world, rows)
            ids = _member_ids(world)[-2:]
            for member_id, lots in zip(ids, (left, right), strict=True):
                for i, (amount, pending, days) in enumerate(lots):
                    available_at = (
                        world.container.clock.now() + timedelta(days=days) if pending and days else None
                    )
                    ledger.award(world.alliance_id, member_id=member_id, issuer=issuer, amount=amount,
                                 available_at=available_at, idempotency_key=f"{member_id}:{i}")  # fmt: skip
            if spend and left:
                available = _snapshot(world, ids[1])[0][ids[1]].available
                if available >= spend:
                    at = chart.merchant_redeemed(world.merchant_id)
                    ledger.spend(world.alliance_id, member_id=ids[1], at=at,
                                 amount=spend, idempotency_key=f"{ids[1]}:spend")  # fmt: skip
            if growth:
                ledger.grant_growth(
                    world.alliance_id, member_id=ids[1], amount=growth, idempotency_key=f"{ids[1]}:g"
                )
            for member_id, top_ups in zip(ids, wallets, strict=True):
                for i, pay_fen in enumerate(top_ups):
                    world.container.wallets.top_up(
                        cashier, member_id=member_id, merchant_id=world.merchant_id, pay_fen=pay_fen,
                        idempotency_key=f"{member_id}:w{i}",
                    )  # fmt: skip
            if hold and _snapshot(world, ids[1])[0][ids[1]].available >= hold:
                _hold(world, ids[1], hold, f"{ids[1]}:hold")
            before = _snapshot(world, *ids), _wallets(world, *ids)
            merged = world.container.members.merging.merge(admin, world.alliance_id, ids[0], ids[1])
            assert world.verify() == []
            merged_state = _snapshot(world, *ids)
            assert merged_state[2] == before[0][2]
            assert merged_state[3] == before[0][3]
            wallets_merged = _wallets(world, *ids)
            assert wallets_merged[ids[0]] == tuple(map(sum, zip(*before[1].values(), strict=True)))
            world.container.members.merging.unmerge(admin, world.alliance_id, merged.merge_id)
            assert world.verify() == []
            assert (_snapshot(world, *ids), _wallets(world, *ids)) == before

        check()


def _members_without_points(world, n: int) -> list[str]:
    rows = bakery_rows(n)
    for row in rows:
        row[6] = "0"  # no opening balance
    _import(world, rows)
    return _member_ids(world)


def test_the_survivor_settles_the_absorbed_members_debt_and_the_undo_puts_it_back(database):
    world = people_world(database, "debt")
    with world.client:
        survivor, absorbed, poor = _members_without_points(world, 3)
        admin = Actor(ActorKind.OPERATOR, "op_admin", world.alliance_id, role="admin")
        merging, ledger = world.container.members.merging, world.container.ledger()
        issuer, shop = chart.merchant_issued(world.merchant_id), chart.merchant_redeemed(world.merchant_id)
        ledger.update_policies(world.alliance_id, negative=NegativePolicy.allow_negative(500))
        award = ledger.award(world.alliance_id, member_id=absorbed, issuer=issuer, amount=100,
                             idempotency_key="a1")  # fmt: skip
        ledger.spend(world.alliance_id, member_id=absorbed, at=shop, amount=100, idempotency_key="s1")
        ledger.reverse(world.alliance_id, award.entry_id, idempotency_key="r1")  # a clawback: owes 100
        ledger.award(world.alliance_id, member_id=survivor, issuer=issuer, amount=300, idempotency_key="a2")
        ledger.award(world.alliance_id, member_id=poor, issuer=issuer, amount=40, idempotency_key="a3")
        before = _snapshot(world, survivor, absorbed, poor)
        assert before[0][absorbed].debt == 100
        with pytest.raises(MergeRefused, match="debt"):  # 40 points do not cover a debt of 100
            merging.merge(admin, world.alliance_id, poor, absorbed)

        merged = merging.merge(admin, world.alliance_id, survivor, absorbed)
        assert world.verify() == []
        after = _snapshot(world, survivor, absorbed, poor)
        assert after[0][survivor].available == 200
        assert (after[0][absorbed].available, after[0][absorbed].debt) == (0, 0)
        assert after[2] == before[2]  # the merchants' and platform's accounts: settlement unchanged

        merging.unmerge(admin, world.alliance_id, merged.merge_id)
        assert world.verify() == []
        assert _snapshot(world, survivor, absorbed, poor) == before


def _hold(world, member_id: str, amount: int, key: str):
    return world.container.ledger().hold(
        world.alliance_id, member_id=member_id, at=chart.merchant_redeemed(world.merchant_id), amount=amount,
        idempotency_key=key,
    )  # fmt: skip


def test_open_holds_move_to_the_survivor_and_back(database):
    """A pending order's hold moves with the member: committed by the survivor, voided back to the
    survivor's points; the undo takes back the holds still open and the points of those voided."""
    world = people_world(database, "held")
    with world.client:
        survivor, absorbed = _members_without_points(world, 2)
        admin = Actor(ActorKind.OPERATOR, "op_admin", world.alliance_id, role="admin")
        ledger, merging = world.container.ledger(), world.container.members.merging
        issuer = chart.merchant_issued(world.merchant_id)
        ledger.award(world.alliance_id, member_id=absorbed, issuer=issuer, amount=100, idempotency_key="a1")
        ledger.award(world.alliance_id, member_id=survivor, issuer=issuer, amount=10, idempotency_key="a2")
        kept, voided, committed = (_hold(world, absorbed, n, f"h{n}") for n in (30, 20, 15))
        before = _snapshot(world, survivor, absorbed)
        assert before[0][absorbed].held == 65

        merged = merging.merge(admin, world.alliance_id, survivor, absorbed)
        assert world.verify() == []
        after = _snapshot(world, survivor, absorbed)
        assert (after[0][survivor].held, after[0][survivor].available) == (65, 45)
        assert after[0][absorbed].held == 0
        assert after[2] == before[2]
        ledger.void_hold(world.alliance_id, voided.hold_id, idempotency_key="v1")
        ledger.commit_hold(world.alliance_id, committed.hold_id, idempotency_key="c1")
        assert world.verify() == []
        now = _snapshot(world, survivor, absorbed)[0][survivor]
        assert (now.held, now.available) == (30, 65)

        merging.unmerge(admin, world.alliance_id, merged.merge_id)
        assert world.verify() == []
        back = _snapshot(world, survivor, absorbed)[0]
        assert (back[survivor].held, back[survivor].available) == (0, 10)
        assert (back[absorbed].held, back[absorbed].available) == (30, 55)  # the committed 15 were spent
        ledger.void_hold(world.alliance_id, kept.hold_id, idempotency_key="v2")  # the absorbed's again
        assert _snapshot(world, survivor, absorbed)[0][absorbed].available == 85
        assert world.verify() == []


def test_an_undo_says_why_not_when_the_moved_stored_value_was_spent(database):
    world = people_world(database, "wallet")
    with world.client:
        _import(world, bakery_rows(2))
        admin = Actor(ActorKind.OPERATOR, "op_admin", world.alliance_id, role="admin")
        survivor, absorbed = _member_ids(world)
        cashier = Actor(
            ActorKind.STAFF, "stf_x", world.alliance_id, role="cashier", merchant_id=world.merchant_id
        )
        wallets = world.container.wallets
        wallets.top_up(cashier, member_id=absorbed, merchant_id=world.merchant_id, pay_fen=10_000,
                       idempotency_key="t1")  # fmt: skip
        liability = wallets.liability(alliance_id=world.alliance_id)
        merged = world.container.members.merging.merge(admin, world.alliance_id, survivor, absorbed)
        assert _wallets(world, survivor, absorbed) == {survivor: (10_000, 0), absorbed: (0, 0)}
        assert (
            wallets.liability(alliance_id=world.alliance_id) == liability
        )  # by collecting merchant, as before
        wallets.pay(cashier, member_id=survivor, merchant_id=world.merchant_id, amount_fen=3_000,
                    idempotency_key="p1")  # fmt: skip
        with pytest.raises(UnmergeRefused, match="stored value"):
            world.container.members.merging.unmerge(admin, world.alliance_id, merged.merge_id)
        assert world.verify() == []
