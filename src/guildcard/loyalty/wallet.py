"""Stored value on the caller's connection and ledger, inside the caller's command.

The money is ledger FEN (chart of accounts, DESIGN.md), each entry summing to zero:

- **top-up** collected by merchant B (``wallet_topup``): ``member:{m}:wallet`` +P and
  ``platform:wallet`` −P (the alliance holds the liability); ``member:{m}:wallet_bonus`` +X and
  ``platform:marketing`` −X (the alliance funds the bonus); ``merchant:B:settlement`` +P (B
  collected the cash and owes it) and ``platform:wallet:clearing`` −P.
- **payment** at merchant K (``wallet_spend``): the member's principal p and bonus b back to
  ``platform:wallet`` / ``platform:marketing``; ``merchant:K:settlement`` −(p+b) (K is owed)
  and ``platform:wallet:clearing`` +(p+b).
- **refund** of a payment (``wallet_refund``): the payment's postings in reverse, for the
  share refunded; the lots it drew from get their parts back.
- **unused principal** paid back to the member (``wallet_withdrawal``): the lot's principal
  left leaves the wallet; the member is paid that less the bonus already used, which returns
  to ``platform:marketing`` with the bonus left (forfeited).

Member wallet accounts never go below zero (the ledger's conditional debit), and the member's
lots are locked in a fixed order before a payment, so concurrent payments never overspend.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from guildcard.ledger import Ledger, Posting, Unit, chart
from guildcard.loyalty.domain import wallet as rules
from guildcard.loyalty.domain.errors import WalletInsufficient, WalletInvalid, WalletNotFound
from guildcard.loyalty.domain.wallet import WalletBalance
from guildcard.loyalty.storage.wallet import WalletRepository

TOPUP, PAYMENT, REFUND, WITHDRAWAL = "wallet_topup", "wallet_spend", "wallet_refund", "wallet_withdrawal"
PLATFORM_WALLET = "platform:wallet"
CLEARING = "platform:wallet:clearing"
MARKETING = "platform:marketing"
FEN = Unit.FEN


@dataclass(frozen=True)
class TopUp:
    topup_id: str
    member_id: str
    merchant_id: str
    principal_fen: int
    bonus_fen: int
    balance: WalletBalance


@dataclass(frozen=True)
class WalletPaid:
    payment_id: str
    member_id: str
    merchant_id: str
    principal_fen: int
    bonus_fen: int
    balance: WalletBalance
    entry_id: str = ""


@dataclass(frozen=True)
class WalletBack:
    payment_id: str
    principal_fen: int
    bonus_fen: int
    entry_id: str | None = None


@dataclass(frozen=True)
class Withdrawal:
    request_id: str
    lot_id: str
    paid_fen: int
    bonus_forfeited: int


def _pair(account: str, counter: str, amount: int) -> list[Posting]:
    """``amount`` into ``account`` out of ``counter`` (nothing when zero)."""
    return [Posting(account, FEN, amount), Posting(counter, FEN, -amount)] if amount else []


class Wallet:
    def __init__(self, conn: Connection, alliance_id: str, now: datetime, ledger: Ledger) -> None:
        self.repo = WalletRepository(conn, alliance_id)
        self.now = now
        self.ledger = ledger

    def balance(self, member_id: str, *, lock: bool = False) -> WalletBalance:
        if lock:
            lots = self.repo.open_lots(member_id, lock=True)
            return WalletBalance(sum(x.principal_left for x in lots), sum(x.bonus_left for x in lots))
        return self.repo.balance(member_id)

    def top_up(
        self,
        member_id: str,
        *,
        merchant_id: str,
        store_id: str | None,
        pay_fen: int,
        bonus_fen: int,
        topup_id: str,
        package_id: str | None = None,
    ) -> TopUp:
        if pay_fen <= 0 or bonus_fen < 0:
            raise WalletInvalid("a top-up pays a positive amount", pay_fen=pay_fen, bonus_fen=bonus_fen)
        postings = [
            *_pair(chart.member_wallet(member_id), PLATFORM_WALLET, pay_fen),
            *_pair(chart.member_wallet_bonus(member_id), MARKETING, bonus_fen),
            *_pair(chart.merchant_settlement(merchant_id), CLEARING, pay_fen),
        ]
        entry = self.ledger.post(
            kind=TOPUP,
            postings=postings,
            idempotency_key=f"{topup_id}:topup",
            reference=topup_id,
            member_id=member_id,
        )
        self.repo.add_lot(
            lot_id=topup_id,
            member_id=member_id,
            merchant_id=merchant_id,
            store_id=store_id,
            package_id=package_id,
            principal=pay_fen,
            bonus=bonus_fen,
            principal_left=pay_fen,
            bonus_left=bonus_fen,
            entry_id=entry.entry_id,
            created_at=self.now,
        )
        return TopUp(topup_id, member_id, merchant_id, pay_fen, bonus_fen, self.repo.balance(member_id))

    def split(self, member_id: str, amount_fen: int) -> tuple[int, int]:
        """(principal, bonus) that would pay ``amount_fen`` now, in the alliance's order."""
        return rules.split(self.balance(member_id), amount_fen, self.repo.settings().spend_order)

    def pay(
        self, member_id: str, *, merchant_id: str, principal_fen: int, bonus_fen: int, payment_id: str
    ) -> WalletPaid:
        """Pay these parts to ``merchant_id``; raises ``WalletInsufficient`` when the wallet holds less."""
        if principal_fen < 0 or bonus_fen < 0 or principal_fen + bonus_fen == 0:
            raise WalletInvalid("a wallet payment is positive", principal=principal_fen, bonus=bonus_fen)
        lots = self.repo.open_lots(member_id, lock=True)
        held = WalletBalance(sum(x.principal_left for x in lots), sum(x.bonus_left for x in lots))
        if principal_fen > held.principal or bonus_fen > held.bonus:
            raise WalletInsufficient(
                principal_left=held.principal, bonus_left=held.bonus, principal=principal_fen, bonus=bonus_fen
            )
        draws = rules.plan_draws(lots, principal_fen, bonus_fen)
        total = principal_fen + bonus_fen
        postings = [
            *_pair(PLATFORM_WALLET, chart.member_wallet(member_id), principal_fen),
            *_pair(MARKETING, chart.member_wallet_bonus(member_id), bonus_fen),
            *_pair(CLEARING, chart.merchant_settlement(merchant_id), total),
        ]
        entry = self.ledger.post(
            kind=PAYMENT,
            postings=postings,
            idempotency_key=f"{payment_id}:wallet",
            reference=payment_id,
            member_id=member_id,
        )
        self.repo.move_lots(draws, sign=-1)
        self.repo.add_payment(
            draws,
            payment_id=payment_id,
            member_id=member_id,
            merchant_id=merchant_id,
            principal=principal_fen,
            bonus=bonus_fen,
            entry_id=entry.entry_id,
            created_at=self.now,
        )
        left = WalletBalance(held.principal - principal_fen, held.bonus - bonus_fen)
        return WalletPaid(payment_id, member_id, merchant_id, principal_fen, bonus_fen, left, entry.entry_id)

    def give_back(self, payment_id: str, *, refund_fen: int, payable_fen: int, refund_id: str) -> WalletBack:
        """A refund of ``refund_fen`` of a ``payable_fen`` bill restores the wallet parts proportionally
        (whatever is left of the payment when the last refund takes it all)."""
        payment = self.repo.payment(payment_id)
        if payment is None:
            raise WalletNotFound(payment_id=payment_id)
        paid = (int(payment["principal"]), int(payment["bonus"]))
        back_p, back_b = rules.proportional(paid, refund_fen=refund_fen, payable_fen=payable_fen)
        return self.give_back_parts(payment_id, principal_fen=back_p, bonus_fen=back_b, refund_id=refund_id)

    def give_back_parts(
        self, payment_id: str, *, principal_fen: int, bonus_fen: int, refund_id: str
    ) -> WalletBack:
        """Give back exactly these parts of a payment (at most what is left of each)."""
        payment = self.repo.payment(payment_id, lock=True)
        if payment is None:
            raise WalletNotFound(payment_id=payment_id)
        left_p = int(payment["principal"]) - int(payment["principal_back"])
        left_b = int(payment["bonus"]) - int(payment["bonus_back"])
        back_p, back_b = min(principal_fen, left_p), min(bonus_fen, left_b)
        if back_p + back_b == 0:
            return WalletBack(payment_id, 0, 0, None)
        member, merchant = payment["member_id"], payment["merchant_id"]
        postings = [
            *_pair(chart.member_wallet(member), PLATFORM_WALLET, back_p),
            *_pair(chart.member_wallet_bonus(member), MARKETING, back_b),
            *_pair(chart.merchant_settlement(merchant), CLEARING, back_p + back_b),
        ]
        entry = self.ledger.post(
            kind=REFUND,
            postings=postings,
            idempotency_key=f"{refund_id}:wallet",
            reference=refund_id,
            member_id=member,
        )
        already = (int(payment["principal_back"]), int(payment["bonus_back"]))
        self.repo.move_lots(_restore(self.repo.draws(payment_id), already, (back_p, back_b)), sign=+1)
        self.repo.mark_back(payment_id, back_p, back_b)
        return WalletBack(payment_id, back_p, back_b, entry.entry_id)

    def withdraw(self, lot_id: str, *, request_id: str) -> Withdrawal:
        """Pay the member a top-up's unused principal less the bonus already used; forfeit the rest."""
        lot = self.repo.lot(lot_id, lock=True)
        if lot is None or lot["state"] != "open":
            raise WalletNotFound(lot_id=lot_id)
        member = lot["member_id"]
        paid, forfeited = rules.unused_principal(
            principal=int(lot["principal"]),
            bonus=int(lot["bonus"]),
            principal_left=int(lot["principal_left"]),
            bonus_left=int(lot["bonus_left"]),
        )
        principal_left = int(lot["principal_left"])
        recovered = principal_left - paid  # the bonus already used, kept back from the principal
        postings = [
            Posting(chart.member_wallet(member), FEN, -principal_left),
            Posting(PLATFORM_WALLET, FEN, paid),
            Posting(MARKETING, FEN, recovered + forfeited),
            Posting(chart.member_wallet_bonus(member), FEN, -forfeited),
        ]
        lines = [p for p in postings if p.amount]
        if lines:
            self.ledger.post(
                kind=WITHDRAWAL,
                postings=lines,
                idempotency_key=f"{request_id}:withdraw",
                reference=request_id,
                member_id=member,
            )
        self.repo.close_lot(lot_id)
        return Withdrawal(request_id, lot_id, paid, forfeited)


def _restore(draws: list[rules.Draw], already: tuple[int, int], back: tuple[int, int]) -> list[rules.Draw]:
    """Split what comes back over the lots the payment drew from (the newest first), after what
    earlier refunds of the payment gave back the same way: no lot gets back more than it gave."""
    skip_p, skip_b = already
    principal, bonus = back
    out: list[rules.Draw] = []
    for d in draws:
        room_p, room_b = d.principal - min(skip_p, d.principal), d.bonus - min(skip_b, d.bonus)
        skip_p, skip_b = max(skip_p - d.principal, 0), max(skip_b - d.bonus, 0)
        p, b = min(principal, room_p), min(bonus, room_b)
        if p or b:
            out.append(rules.Draw(d.lot_id, p, b))
            principal, bonus = principal - p, bonus - b
    return out
