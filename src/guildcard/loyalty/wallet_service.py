"""Stored value for the entry points: packages and settings, top-ups, payments, refunds, reads.

The actor is the caller's (a cashier at a merchant, an operator, the member); each write is a
command on the bus. Errors raised: ``WalletInvalid``, ``WalletInsufficient``, ``WalletNotFound``,
``WalletNotAllowed``, ``WalletRefundDecided``, ``IdempotencyConflict``; for top-up codes
``TopUpCodeNotUsable`` and ``TooManyCodeAttempts`` (a member tries at most ``CODE_ATTEMPTS``).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from guildcard.db.engine import Database
from guildcard.kernel.actors import Actor
from guildcard.kernel.clock import Clock
from guildcard.loyalty import wallet_queries
from guildcard.loyalty.domain.errors import TooManyCodeAttempts
from guildcard.loyalty.domain.wallet import TopUpPackage, WalletBalance
from guildcard.loyalty.handlers import handlers
from guildcard.loyalty.service import Written
from guildcard.loyalty.storage.topup_codes import TopUpCodeRepository
from guildcard.loyalty.topup_code_handlers import (
    GenerateTopUpCodes,
    RedeemTopUpCode,
    TopUpCodeBatch,
    VoidTopUpCodes,
)
from guildcard.loyalty.wallet_handlers import (
    CreateTopUpPackage,
    DecidePrincipalRefund,
    PayWithWallet,
    RefundWalletPayment,
    RequestPrincipalRefund,
    TopUpWallet,
    UpdateWalletSettings,
)
from guildcard.loyalty.wallet_queries import Liability
from guildcard.pipeline import Command, CommandBus
from guildcard.throttle import Throttle

# Codes are guessed by trying many: a member gets this many tries (right or wrong) per window.
CODE_ATTEMPTS = "10/hour"


class WalletService:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        *,
        bus: CommandBus | None = None,
        throttle: Throttle | None = None,
    ) -> None:
        self.database = database
        self.clock = clock
        self.bus = bus or CommandBus(database, clock, [handlers])
        self.throttle = throttle or Throttle()

    # --- reads -------------------------------------------------------------------------

    def balance(self, *, alliance_id: str, member_id: str) -> WalletBalance:
        with self.database.read() as conn:
            return wallet_queries.balance(conn, alliance_id, member_id)

    def packages(self, *, alliance_id: str, active_only: bool = False) -> list[TopUpPackage]:
        with self.database.read() as conn:
            return wallet_queries.packages(conn, alliance_id, active_only=active_only)

    def top_ups(self, *, alliance_id: str, member_id: str) -> list[dict[str, Any]]:
        with self.database.read() as conn:
            return wallet_queries.top_ups(conn, alliance_id, member_id)

    def payments(self, *, alliance_id: str, member_id: str) -> list[dict[str, Any]]:
        with self.database.read() as conn:
            return wallet_queries.payments(conn, alliance_id, member_id)

    def history(self, *, alliance_id: str, member_id: str) -> list[wallet_queries.WalletMovement]:
        with self.database.read() as conn:
            return wallet_queries.history(conn, alliance_id, member_id)

    def liability(self, *, alliance_id: str) -> Liability:
        with self.database.read() as conn:
            return wallet_queries.liability(conn, alliance_id)

    def pending_refunds(self, *, alliance_id: str) -> list[dict[str, Any]]:
        with self.database.read() as conn:
            return wallet_queries.pending_refunds(conn, alliance_id)

    def verify(self, *, alliance_id: str) -> list[str]:
        with self.database.read() as conn:
            return wallet_queries.verify(conn, alliance_id)

    def code_batches(self, *, alliance_id: str, merchant_id: str | None = None) -> list[dict[str, Any]]:
        """Top-up code batches, newest first, with their codes counted by state (never the codes)."""
        with self.database.read() as conn:
            return TopUpCodeRepository(conn, alliance_id).batches(merchant_id=merchant_id)

    # --- writes (``actor`` is who asks) -------------------------------------------------

    def generate_codes(
        self,
        actor: Actor,
        *,
        merchant_id: str,
        face_fen: int,
        size: int,
        expires_at: datetime,
        idempotency_key: str,
        note: str = "",
    ) -> Written[Any]:
        """A batch of top-up codes; the clear codes are in this first result only (``codes_csv``)."""
        command = GenerateTopUpCodes(
            merchant_id=merchant_id,
            face_fen=face_fen,
            size=size,
            expires_at=expires_at,
            note=note,
            idempotency_key=idempotency_key,
        )
        return self._run(actor, command)

    def void_codes(self, actor: Actor, *, batch_id: str, idempotency_key: str) -> Written[Any]:
        return self._run(actor, VoidTopUpCodes(batch_id=batch_id, idempotency_key=idempotency_key))

    def redeem_code(
        self, actor: Actor, *, member_id: str, code: str, idempotency_key: str | None
    ) -> Written[Any]:
        """The member's wallet credited by a code (rate-limited per member, right or wrong)."""
        self.throttle.hit(
            CODE_ATTEMPTS, "topup-code", actor.alliance_id, member_id, error=TooManyCodeAttempts
        )
        return self._run(
            actor, RedeemTopUpCode(member_id=member_id, code=code, idempotency_key=idempotency_key)
        )

    def create_package(
        self, actor: Actor, *, name: str, pay_fen: int, bonus_fen: int, idempotency_key: str
    ) -> Written[Any]:
        return self._run(
            actor,
            CreateTopUpPackage(
                name=name, pay_fen=pay_fen, bonus_fen=bonus_fen, idempotency_key=idempotency_key
            ),
        )

    def update_settings(
        self, actor: Actor, *, spend_order: str, earn_on: str, idempotency_key: str
    ) -> Written[Any]:
        return self._run(
            actor,
            UpdateWalletSettings(spend_order=spend_order, earn_on=earn_on, idempotency_key=idempotency_key),
        )

    def top_up(
        self,
        actor: Actor,
        *,
        member_id: str,
        merchant_id: str,
        idempotency_key: str,
        store_id: str | None = None,
        package_id: str | None = None,
        pay_fen: int = 0,
    ) -> Written[Any]:
        command = TopUpWallet(
            member_id=member_id,
            merchant_id=merchant_id,
            store_id=store_id,
            package_id=package_id,
            pay_fen=pay_fen,
            idempotency_key=idempotency_key,
        )
        return self._run(actor, command)

    def pay(
        self,
        actor: Actor,
        *,
        member_id: str,
        merchant_id: str,
        amount_fen: int,
        idempotency_key: str,
        payment_id: str | None = None,
    ) -> Written[Any]:
        command = PayWithWallet(
            member_id=member_id,
            merchant_id=merchant_id,
            amount_fen=amount_fen,
            payment_id=payment_id,
            idempotency_key=idempotency_key,
        )
        return self._run(actor, command)

    def refund_payment(
        self,
        actor: Actor,
        *,
        merchant_id: str,
        payment_id: str,
        refund_fen: int,
        payable_fen: int,
        idempotency_key: str,
    ) -> Written[Any]:
        command = RefundWalletPayment(
            merchant_id=merchant_id,
            payment_id=payment_id,
            refund_fen=refund_fen,
            payable_fen=payable_fen,
            idempotency_key=idempotency_key,
        )
        return self._run(actor, command)

    def request_refund(
        self, actor: Actor, *, member_id: str, lot_id: str, reason: str, idempotency_key: str
    ) -> Written[Any]:
        command = RequestPrincipalRefund(
            member_id=member_id, lot_id=lot_id, reason=reason, idempotency_key=idempotency_key
        )
        return self._run(actor, command)

    def decide_refund(
        self, actor: Actor, *, request_id: str, approve: bool, idempotency_key: str, note: str = ""
    ) -> Written[Any]:
        command = DecidePrincipalRefund(
            request_id=request_id, approve=approve, note=note, idempotency_key=idempotency_key
        )
        return self._run(actor, command)

    def _run(self, actor: Actor, command: Command) -> Written[Any]:
        outcome = self.bus.execute(actor, command)
        return Written(outcome.value, replayed=outcome.replayed)


def codes_csv(batch: TopUpCodeBatch) -> str:
    """The one export of a batch's codes (code, face value in yuan, expiry, batch) for printing."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["code", "face_yuan", "expires_at", "batch_id"])
    for code in batch.codes:
        writer.writerow(
            [
                code,
                f"{batch.face_fen // 100}.{batch.face_fen % 100:02d}",
                batch.expires_at.isoformat(),
                batch.batch_id,
            ]
        )
    return out.getvalue()
