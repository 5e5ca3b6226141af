"""``verify``: every invariant of the ledger, checked from the rows, each failure named.

zero-sum per entry and unit · cached balance = postings for every member account, none on
shared accounts · active lots = spendable points, pending lots = pending points, open holds =
held points · every lot's remainder = amount - what was drawn from it · no balance below its
floor (the alliance's negative policy for points, zero otherwise) · reversals never exceed
their original · checkpoints chain, their roots recompute and their signatures hold.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Connection, text

from guildcard.ledger.checkpoints import GENESIS, checkpoint_entry_ids, checkpoint_rows, leaf_hashes
from guildcard.ledger.domain.merkle import checkpoint_message, merkle_root
from guildcard.ledger.domain.results import Violation
from guildcard.ledger.keys import signature_holds
from guildcard.ledger.settings_store import load_settings


def verify_alliance(conn: Connection, alliance_id: str) -> list[Violation]:
    found: list[Violation] = []
    for check in (
        _zero_sum,
        _cached_balances,
        _lots_and_holds,
        _lot_trails,
        _floors,
        _reversals,
        _checkpoints,
    ):
        found += check(conn, alliance_id)
    return found


def _rows(conn: Connection, sql: str, alliance_id: str) -> list[tuple]:  # type: ignore[type-arg]
    return [tuple(r) for r in conn.execute(text(sql), {"a": alliance_id})]


def _zero_sum(conn: Connection, a: str) -> list[Violation]:
    out = [
        Violation("unbalanced_entry", f"entry {e}: {unit} postings sum to {total}, not 0")
        for e, unit, total in _rows(
            conn,
            "SELECT entry_id, unit, sum(amount) FROM ledger_postings WHERE alliance_id = :a "
            "GROUP BY entry_id, unit HAVING sum(amount) <> 0",
            a,
        )
    ]
    out += [
        Violation("entry_without_postings", f"entry {e} has {n} posting(s)")
        for e, n in _rows(
            conn,
            "SELECT e.id, count(p.line) FROM ledger_entries e LEFT JOIN ledger_postings p "
            "ON p.alliance_id = e.alliance_id AND p.entry_id = e.id WHERE e.alliance_id = :a "
            "GROUP BY e.id HAVING count(p.line) < 2",
            a,
        )
    ]
    return out


def _cached_balances(conn: Connection, a: str) -> list[Violation]:
    sums = dict(
        _rows(
            conn,
            "SELECT account, sum(amount) FROM ledger_postings WHERE alliance_id = :a GROUP BY account",
            a,
        )
    )
    out = []
    for code, balance in _rows(conn, "SELECT code, balance FROM ledger_accounts WHERE alliance_id = :a", a):
        member = code.startswith("member:")
        if member and balance != sums.get(code, 0):
            out.append(
                Violation(
                    "balance_mismatch", f"{code}: cached balance {balance} != postings {sums.get(code, 0)}"
                )
            )
        if not member and balance is not None:
            out.append(Violation("shared_account_cached", f"{code} carries a cached balance {balance}"))
    known = {code for (code,) in _rows(conn, "SELECT code FROM ledger_accounts WHERE alliance_id = :a", a)}
    out += [
        Violation("unknown_account", f"postings to unregistered account {code}")
        for code in sums
        if code not in known
    ]
    return out


def _lots_and_holds(conn: Connection, a: str) -> list[Violation]:
    member_accounts = (
        "SELECT code, balance FROM ledger_accounts WHERE alliance_id = :a AND code LIKE 'member:%'"
    )
    balances = dict(_rows(conn, member_accounts, a))
    expected: dict[str, int] = defaultdict(int)
    for member, state, total in _rows(
        conn,
        "SELECT member_id, state, sum(remaining) FROM ledger_lots WHERE alliance_id = :a "
        "GROUP BY member_id, state",
        a,
    ):
        if state in {"active", "pending"}:
            expected[f"member:{member}:{'points' if state == 'active' else 'pending'}"] += int(total)
    for member, total in _rows(
        conn,
        "SELECT member_id, sum(amount) FROM ledger_holds WHERE alliance_id = :a AND state = 'active' "
        "GROUP BY member_id",
        a,
    ):
        expected[f"member:{member}:held"] += int(total)
    out = []
    for code in sorted(
        set(expected) | {c for c in balances if c.rsplit(":", 1)[1] in {"points", "pending", "held"}}
    ):
        cached = balances.get(code) or 0
        should = max(cached, 0) if code.endswith(":points") else cached
        if expected.get(code, 0) != should:
            what = "open holds" if code.endswith(":held") else "lot remainders"
            out.append(
                Violation("lots_mismatch", f"{code}: {what} sum to {expected.get(code, 0)}, balance {cached}")
            )
    return out


def _lot_trails(conn: Connection, a: str) -> list[Violation]:
    return [
        Violation(
            "lot_trail_mismatch", f"lot {lot}: amount {amount} - remaining {remaining} != drawn {drawn}"
        )
        for lot, amount, remaining, drawn in _rows(
            conn,
            "SELECT l.id, l.amount, l.remaining, coalesce(c.drawn, 0) FROM ledger_lots l LEFT JOIN "
            "(SELECT lot_id, sum(amount) AS drawn FROM ledger_consumptions WHERE alliance_id = :a "
            "GROUP BY lot_id) c "
            "ON c.lot_id = l.id WHERE l.alliance_id = :a "
            "AND (l.amount - l.remaining <> coalesce(c.drawn, 0) "
            "OR l.remaining < 0 OR l.remaining > l.amount)",
            a,
        )
    ]


def _floors(conn: Connection, a: str) -> list[Violation]:
    floor = load_settings(conn, a).negative.floor
    out = []
    for code, balance in _rows(
        conn, "SELECT code, balance FROM ledger_accounts WHERE alliance_id = :a AND balance < 0", a
    ):
        allowed = floor if code.endswith(":points") else 0
        if balance < allowed:
            out.append(Violation("negative_beyond_policy", f"{code}: balance {balance} below {allowed}"))
    return out


def _reversals(conn: Connection, a: str) -> list[Violation]:
    out = [
        Violation("reversal_exceeds_original", f"entry {e}: reversed {done} of {total}")
        for e, total, done in _rows(
            conn,
            "SELECT r.original_id, coalesce(max(e.amount), 1), sum(r.amount) FROM ledger_reversals r "
            "JOIN ledger_entries e ON e.alliance_id = r.alliance_id AND e.id = r.original_id "
            "WHERE r.alliance_id = :a GROUP BY r.original_id "
            "HAVING sum(r.amount) > coalesce(max(e.amount), 1)",
            a,
        )
    ]
    out += [
        Violation("reversal_unrecorded", f"reversal {e} of {orig} is not recorded exactly once ({n})")
        for e, orig, n in _rows(
            conn,
            "SELECT e.id, e.reverses, count(r.seq) FROM ledger_entries e LEFT JOIN ledger_reversals r "
            "ON r.alliance_id = e.alliance_id AND r.reversal_id = e.id AND r.original_id = e.reverses "
            "WHERE e.alliance_id = :a AND e.reverses IS NOT NULL "
            "GROUP BY e.id, e.reverses HAVING count(r.seq) <> 1",
            a,
        )
    ]
    return out


def _checkpoints(conn: Connection, a: str) -> list[Violation]:
    out = []
    prev_root, expected_seq = GENESIS, 1
    public_key = load_settings(conn, a).public_key
    for cp in checkpoint_rows(conn, a):
        name = f"checkpoint {cp.seq}"
        if cp.public_key != public_key:
            out.append(
                Violation("checkpoint_signature", f"{name}: signed by a key that is not the alliance's")
            )
        if cp.seq != expected_seq or cp.prev_root != prev_root:
            out.append(Violation("checkpoint_chain", f"{name} does not follow checkpoint {expected_seq - 1}"))
        ids = checkpoint_entry_ids(conn, a, cp.seq)
        hashes = leaf_hashes(conn, a, ids)
        if len(ids) != cp.size or b"" in hashes:
            out.append(Violation("checkpoint_leaves", f"{name}: {len(ids)} leaves found for size {cp.size}"))
        elif merkle_root(hashes).hex() != cp.root:
            out.append(Violation("checkpoint_root", f"{name}: entries no longer hash to the signed root"))
        message = checkpoint_message(a, cp.seq, cp.prev_root, cp.root, cp.size)
        if not signature_holds(cp.public_key, message, cp.signature):
            out.append(Violation("checkpoint_signature", f"{name}: signature does not hold"))
        prev_root, expected_seq = cp.root, cp.seq + 1
    return out
