"""What pages and other contexts read about stored value, on the caller's connection."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from guildcard.ledger.queries.wallets import wallet_balances
from guildcard.loyalty.domain.wallet import TopUpPackage, WalletBalance, WalletSettings
from guildcard.loyalty.storage.wallet import WalletRepository


@dataclass(frozen=True)
class Liability:
    """What the alliance owes members in stored value, by the merchant that collected it."""

    by_merchant: tuple[tuple[str, int, int], ...]  # (merchant, principal, bonus)

    @property
    def principal(self) -> int:
        return sum(p for _, p, _ in self.by_merchant)

    @property
    def bonus(self) -> int:
        return sum(b for _, _, b in self.by_merchant)


def balance(conn: Connection, alliance_id: str, member_id: str, *, lock: bool = False) -> WalletBalance:
    """The member's principal and bonus; ``lock``: the member's top-ups stay locked until commit."""
    repo = WalletRepository(conn, alliance_id)
    if not lock:
        return repo.balance(member_id)
    lots = repo.open_lots(member_id, lock=True)
    return WalletBalance(sum(x.principal_left for x in lots), sum(x.bonus_left for x in lots))


def settings(conn: Connection, alliance_id: str) -> WalletSettings:
    return WalletRepository(conn, alliance_id).settings()


def packages(conn: Connection, alliance_id: str, *, active_only: bool = False) -> list[TopUpPackage]:
    return WalletRepository(conn, alliance_id).packages(active_only=active_only)


def top_ups(conn: Connection, alliance_id: str, member_id: str) -> list[dict[str, Any]]:
    return WalletRepository(conn, alliance_id).lots_of(member_id)


def payments(conn: Connection, alliance_id: str, member_id: str) -> list[dict[str, Any]]:
    return WalletRepository(conn, alliance_id).payments_of(member_id)


def pending_refunds(conn: Connection, alliance_id: str) -> list[dict[str, Any]]:
    return WalletRepository(conn, alliance_id).pending_refunds()


def liability(conn: Connection, alliance_id: str) -> Liability:
    return Liability(tuple(WalletRepository(conn, alliance_id).liability()))


def verify(conn: Connection, alliance_id: str) -> list[str]:
    """Problems where the top-ups' remainders and the ledger's wallet accounts disagree (none: [])."""
    lots = WalletRepository(conn, alliance_id).balances_by_member()
    ledger = wallet_balances(conn, alliance_id)
    problems = []
    for member in sorted(set(lots) | set(ledger)):
        held, booked = lots.get(member, (0, 0)), ledger.get(member, (0, 0))
        if held != booked:
            problems.append(f"member {member}: top-ups hold {held} (principal, bonus), the ledger {booked}")
    return problems


@dataclass(frozen=True)
class WalletMovement:
    """One line of a member's stored-value history: a top-up, a payment, or what a refund gave back."""

    kind: str  # topup, payment, refunded
    at: datetime
    merchant_id: str
    principal_fen: int  # + into the wallet, - out of it
    bonus_fen: int

    @property
    def total_fen(self) -> int:
        return self.principal_fen + self.bonus_fen


def history(conn: Connection, alliance_id: str, member_id: str, *, limit: int = 50) -> list[WalletMovement]:
    """Top-ups and payments, newest first (a refunded payment shows what came back on its line)."""
    repo = WalletRepository(conn, alliance_id)
    lines = [
        WalletMovement("topup", r["created_at"], r["merchant_id"], int(r["principal"]), int(r["bonus"]))
        for r in repo.lots_of(member_id)
    ]
    for r in repo.payments_of(member_id, limit=limit):
        at, where = r["created_at"], r["merchant_id"]
        lines.append(WalletMovement("payment", at, where, -int(r["principal"]), -int(r["bonus"])))
        if r["principal_back"] or r["bonus_back"]:
            back = int(r["principal_back"]), int(r["bonus_back"])
            lines.append(WalletMovement("refunded", at, where, *back))
    order = {"topup": 0, "payment": 1, "refunded": 2}  # at the same instant: money in before it is spent
    lines.sort(key=lambda m: (m.at, order[m.kind]), reverse=True)
    return lines[:limit]
