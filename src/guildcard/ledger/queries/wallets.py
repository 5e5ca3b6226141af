"""Stored-value balances (``member:{id}:wallet`` principal, ``member:{id}:wallet_bonus``), per member."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Connection, or_, select

from guildcard.ledger.storage.tables import accounts


def wallet_balances(conn: Connection, alliance_id: str) -> dict[str, tuple[int, int]]:
    """member -> (principal, bonus), from the accounts' cached balances, in one query."""
    rows = conn.execute(
        select(accounts.c.code, accounts.c.balance).where(
            accounts.c.alliance_id == alliance_id,
            or_(accounts.c.code.like("member:%:wallet"), accounts.c.code.like("member:%:wallet_bonus")),
        )
    )
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for code, balance in rows:
        _, member, name = str(code).split(":")
        out[member][0 if name == "wallet" else 1] += int(balance or 0)
    return {m: (p, b) for m, (p, b) in out.items()}
