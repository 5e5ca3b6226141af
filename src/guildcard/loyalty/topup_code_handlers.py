"""Stored-value top-up codes (储值卡密) on the loyalty group.

An operator, or a merchant's owner for its own merchant, generates a batch: ``size`` codes of one
face value, paid for by one merchant (it sold the printed cards, collected the money and owes it
to the alliance), expiring at a time. The clear codes exist only in the generating command's
result (exported once as CSV); the rows keep each code's keyed hash, and a replay of the command
answers without them. A member redeems a code: one conditional UPDATE decides who wins it, then
the wallet is credited like a counter top-up at the paying merchant (``wallet_topup``: the
alliance holds the liability, the merchant owes the face value in settlement).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.clock import ensure_utc
from guildcard.kernel.ids import new_id
from guildcard.kernel.permissions import Perm
from guildcard.loyalty.domain import cards as code_rules
from guildcard.loyalty.domain.cards import MAX_BATCH
from guildcard.loyalty.domain.errors import (
    TopUpCodeNotUsable,
    WalletInvalid,
    WalletNotAllowed,
    WalletNotFound,
)
from guildcard.loyalty.handlers import LoyaltyCommand, handlers
from guildcard.loyalty.storage.topup_codes import TopUpCodeRepository
from guildcard.loyalty.tier_handlers import LoyaltyDeps
from guildcard.loyalty.wallet import TopUp
from guildcard.loyalty.wallet_handlers import wallet
from guildcard.pipeline import Work


def code_hash(work: Work, code: str) -> str:
    """The keyed hash a code is stored and found by (normalized as the member may type it)."""
    deps = work.deps
    if not isinstance(deps, LoyaltyDeps) or deps.lookup is None:
        raise RuntimeError("top-up codes need LoyaltyDeps(lookup=...) on the bus")
    return deps.lookup.digest(code_rules.normalized(code), scope=f"topup-code:{work.alliance_id}")


def _issuer(actor: Actor, command: Any) -> None:
    """Operators for any merchant; a merchant's owner only for its own (the role table is checked first)."""
    if actor.is_operator() or actor.kind is ActorKind.SYSTEM:
        return
    if actor.kind is ActorKind.STAFF and actor.merchant_id == command.merchant_id:
        return
    raise WalletNotAllowed()


def _voider(actor: Actor, _command: Any) -> None:
    if not (actor.is_operator() or actor.kind in (ActorKind.SYSTEM, ActorKind.STAFF)):
        raise WalletNotAllowed()  # staff reach only their merchant's batches (checked by the handler)


def _the_member(actor: Actor, command: Any) -> None:
    if not (actor.kind is ActorKind.MEMBER and actor.id == command.member_id):
        raise WalletNotAllowed()


@dataclass(frozen=True, kw_only=True)
class GenerateTopUpCodes(LoyaltyCommand):
    scope = "loyalty.generate_topup_codes"
    permission = Perm.WALLET_CODES
    merchant_id: str  # pays for the codes: collected their price, owes the face value
    face_fen: int
    size: int
    expires_at: datetime
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class VoidTopUpCodes(LoyaltyCommand):
    scope = "loyalty.void_topup_codes"
    permission = Perm.WALLET_CODES
    batch_id: str


@dataclass(frozen=True, kw_only=True)
class RedeemTopUpCode(LoyaltyCommand):
    scope = "loyalty.redeem_topup_code"
    permission = Perm.MEMBER_SELF
    member_id: str
    code: str


@dataclass(frozen=True)
class TopUpCodeBatch:
    batch_id: str
    merchant_id: str
    face_fen: int
    size: int
    expires_at: datetime
    codes: tuple[str, ...] = ()  # the clear codes: in the first result only, never replayed


def _without_codes(batch: TopUpCodeBatch) -> dict[str, Any]:
    return {
        "batch_id": batch.batch_id,
        "merchant_id": batch.merchant_id,
        "face_fen": batch.face_fen,
        "size": batch.size,
        "expires_at": batch.expires_at.isoformat(),
    }


def _replayed(stored: dict[str, Any], _work: Work) -> TopUpCodeBatch:
    return TopUpCodeBatch(**{**stored, "expires_at": datetime.fromisoformat(stored["expires_at"])})


@handlers.register(authorize=_issuer, remember=_without_codes, replay=_replayed)
def generate_topup_codes(command: GenerateTopUpCodes, work: Work) -> TopUpCodeBatch:
    if command.face_fen <= 0:
        raise WalletInvalid("a code tops up a positive amount", field="face_fen")
    if not 1 <= command.size <= MAX_BATCH:
        raise WalletInvalid(f"a batch has 1 to {MAX_BATCH} codes", field="size", size=command.size)
    expires = ensure_utc(command.expires_at)
    if expires <= work.now:
        raise WalletInvalid("codes expire in the future", field="expires_at")
    codes: set[str] = set()
    while len(codes) < command.size:  # a duplicate among random codes: draw again
        codes.add(code_rules.new_code())
    batch_id = new_id("tcb")
    TopUpCodeRepository(work.connection, work.alliance_id).add_batch(
        hashes=[code_hash(work, c) for c in codes],
        batch_id=batch_id,
        merchant_id=command.merchant_id,
        face_fen=command.face_fen,
        expires_at=expires,
        note=command.note.strip()[:100],
        created_at=work.now,
        created_by=work.actor.id,
    )
    work.audit(
        "loyalty.generate_topup_codes",
        object_type="topup_code_batch",
        object_id=batch_id,
        merchant_id=command.merchant_id,
        details={"face_fen": command.face_fen, "size": command.size, "expires_at": expires.isoformat()},
    )
    return TopUpCodeBatch(
        batch_id, command.merchant_id, command.face_fen, command.size, expires, tuple(sorted(codes))
    )


@handlers.register(authorize=_voider)
def void_topup_codes(command: VoidTopUpCodes, work: Work) -> int:
    """Void every unused code of the batch (a lost or stolen print run); used ones stay used."""
    repo = TopUpCodeRepository(work.connection, work.alliance_id)
    batch = repo.batch(command.batch_id)
    staff = work.actor.kind is ActorKind.STAFF
    if batch is None or (staff and batch["merchant_id"] != work.actor.merchant_id):
        raise WalletNotFound(batch_id=command.batch_id)
    voided = repo.void(command.batch_id)
    work.audit(
        "loyalty.void_topup_codes",
        object_type="topup_code_batch",
        object_id=command.batch_id,
        merchant_id=batch["merchant_id"],
        details={"voided": voided},
    )
    return voided


@handlers.register(authorize=_the_member)
def redeem_topup_code(command: RedeemTopUpCode, work: Work) -> TopUp:
    repo = TopUpCodeRepository(work.connection, work.alliance_id)
    topup_id = new_id("wtu")
    batch_id = repo.use(
        code_hash(work, command.code), member_id=command.member_id, topup_id=topup_id, now=work.now
    )
    batch = repo.batch(batch_id) if batch_id else None
    if batch is None:
        raise TopUpCodeNotUsable()
    topped = wallet(work).top_up(
        command.member_id,
        merchant_id=batch["merchant_id"],
        store_id=None,
        pay_fen=int(batch["face_fen"]),
        bonus_fen=0,
        topup_id=topup_id,
    )
    work.audit(
        "loyalty.redeem_topup_code",
        object_type="wallet_topup",
        object_id=topup_id,
        merchant_id=batch["merchant_id"],
        details={
            "member_id": command.member_id,
            "batch_id": batch["batch_id"],
            "pay_fen": topped.principal_fen,
        },
    )
    work.emit(
        "loyalty.wallet_topped_up",
        topup_id,
        member_id=command.member_id,
        merchant_id=batch["merchant_id"],
        pay_fen=topped.principal_fen,
        bonus_fen=0,
        batch_id=batch["batch_id"],
    )
    return topped
