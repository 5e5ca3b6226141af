"""Stored-value commands on the loyalty group: packages and settings (operators), top-ups and
payments at a merchant (its staff), refunds, and a member's request for the unused principal
of a top-up (approved or rejected by an operator, audited)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.ids import new_id
from guildcard.loyalty.domain.errors import (
    WalletInsufficient,
    WalletInvalid,
    WalletNotAllowed,
    WalletNotFound,
    WalletRefundDecided,
)
from guildcard.loyalty.domain.wallet import EarnOnWallet, SpendOrder, TopUpPackage, WalletSettings
from guildcard.loyalty.handlers import LoyaltyCommand, handlers
from guildcard.loyalty.storage.wallet import WalletRepository
from guildcard.loyalty.tier_handlers import ledger_for
from guildcard.loyalty.wallet import TopUp, Wallet, WalletBack, WalletPaid, Withdrawal
from guildcard.pipeline import Work


def _operator(actor: Actor, _command: Any) -> None:
    if not (actor.is_operator() or actor.kind is ActorKind.SYSTEM):
        raise WalletNotAllowed()


def _at_merchant(actor: Actor, command: Any) -> None:
    """The merchant's own staff or POS (or operators and the system)."""
    merchant = command.merchant_id
    if actor.is_operator() or actor.kind is ActorKind.SYSTEM:
        return
    if actor.kind in (ActorKind.STAFF, ActorKind.POS) and actor.merchant_id == merchant:
        return
    raise WalletNotAllowed()


def _member_or_operator(actor: Actor, command: Any) -> None:
    if actor.kind is ActorKind.MEMBER and actor.id == command.member_id:
        return
    _operator(actor, command)


def wallet(work: Work) -> Wallet:
    return Wallet(work.connection, work.alliance_id, work.now, ledger_for(work))


@dataclass(frozen=True, kw_only=True)
class CreateTopUpPackage(LoyaltyCommand):
    scope = "loyalty.create_topup_package"
    name: str
    pay_fen: int
    bonus_fen: int = 0


@dataclass(frozen=True, kw_only=True)
class SetTopUpPackageActive(LoyaltyCommand):
    scope = "loyalty.set_topup_package_active"
    package_id: str
    active: bool


@dataclass(frozen=True, kw_only=True)
class UpdateWalletSettings(LoyaltyCommand):
    scope = "loyalty.update_wallet_settings"
    spend_order: str = SpendOrder.PRINCIPAL_FIRST.value
    earn_on: str = EarnOnWallet.PRINCIPAL.value


@dataclass(frozen=True, kw_only=True)
class TopUpWallet(LoyaltyCommand):
    """A top-up at a merchant's counter: a package, or an amount (and bonus) an operator allows."""

    scope = "loyalty.top_up_wallet"
    member_id: str
    merchant_id: str
    store_id: str | None = None
    package_id: str | None = None
    pay_fen: int = 0


@dataclass(frozen=True, kw_only=True)
class PayWithWallet(LoyaltyCommand):
    """Pay ``amount_fen`` from the wallet at a merchant (split in the alliance's order)."""

    scope = "loyalty.pay_with_wallet"
    member_id: str
    merchant_id: str
    amount_fen: int
    payment_id: str | None = None  # default: a new id


@dataclass(frozen=True, kw_only=True)
class RefundWalletPayment(LoyaltyCommand):
    scope = "loyalty.refund_wallet_payment"
    merchant_id: str
    payment_id: str
    refund_fen: int
    payable_fen: int


@dataclass(frozen=True, kw_only=True)
class RequestPrincipalRefund(LoyaltyCommand):
    scope = "loyalty.request_principal_refund"
    member_id: str
    lot_id: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class DecidePrincipalRefund(LoyaltyCommand):
    scope = "loyalty.decide_principal_refund"
    request_id: str
    approve: bool
    note: str = ""


@dataclass(frozen=True)
class RefundRequest:
    request_id: str
    member_id: str
    lot_id: str
    state: str
    paid_fen: int | None = None
    bonus_forfeited: int | None = None


@handlers.register(authorize=_operator)
def create_topup_package(command: CreateTopUpPackage, work: Work) -> TopUpPackage:
    package = TopUpPackage(new_id("pkg"), command.name.strip(), command.pay_fen, command.bonus_fen)
    WalletRepository(work.connection, work.alliance_id).add_package(package, now=work.now)
    work.audit(
        "loyalty.create_topup_package",
        object_type="topup_package",
        object_id=package.package_id,
        details={"name": package.name, "pay_fen": package.pay_fen, "bonus_fen": package.bonus_fen},
    )
    return package


@handlers.register(authorize=_operator)
def set_topup_package_active(command: SetTopUpPackageActive, work: Work) -> bool:
    if not WalletRepository(work.connection, work.alliance_id).set_package_active(
        command.package_id, command.active
    ):
        raise WalletNotFound(package_id=command.package_id)
    work.audit(
        "loyalty.set_topup_package_active",
        object_type="topup_package",
        object_id=command.package_id,
        details={"active": command.active},
    )
    return command.active


@handlers.register(authorize=_operator)
def update_wallet_settings(command: UpdateWalletSettings, work: Work) -> WalletSettings:
    try:
        settings = WalletSettings(SpendOrder(command.spend_order), EarnOnWallet(command.earn_on))
    except ValueError as exc:
        raise WalletInvalid(str(exc)) from exc
    WalletRepository(work.connection, work.alliance_id).save_settings(settings, now=work.now)
    work.audit(
        "loyalty.update_wallet_settings",
        object_type="wallet_settings",
        object_id=work.alliance_id,
        details={"spend_order": command.spend_order, "earn_on": command.earn_on},
    )
    return settings


@handlers.register(authorize=_at_merchant)
def top_up_wallet(command: TopUpWallet, work: Work) -> TopUp:
    repo = WalletRepository(work.connection, work.alliance_id)
    if command.package_id:
        package = repo.package(command.package_id)
        if package is None or not package.active:
            raise WalletNotFound(package_id=command.package_id)
        pay, bonus = package.pay_fen, package.bonus_fen
    else:
        pay, bonus = command.pay_fen, 0
    topped = wallet(work).top_up(
        command.member_id,
        merchant_id=command.merchant_id,
        store_id=command.store_id,
        pay_fen=pay,
        bonus_fen=bonus,
        topup_id=new_id("wtu"),
        package_id=command.package_id,
    )
    work.audit(
        "loyalty.top_up_wallet",
        object_type="wallet_topup",
        object_id=topped.topup_id,
        merchant_id=command.merchant_id,
        store_id=command.store_id,
        details={"member_id": command.member_id, "pay_fen": pay, "bonus_fen": bonus},
    )
    work.emit(
        "loyalty.wallet_topped_up",
        topped.topup_id,
        member_id=command.member_id,
        merchant_id=command.merchant_id,
        pay_fen=pay,
        bonus_fen=bonus,
    )
    return topped


@handlers.register(authorize=_at_merchant)
def pay_with_wallet(command: PayWithWallet, work: Work) -> WalletPaid:
    w = wallet(work)
    principal, bonus = w.split(command.member_id, command.amount_fen)
    if principal + bonus < command.amount_fen:
        raise WalletInsufficient(amount_fen=command.amount_fen, balance_fen=principal + bonus)
    paid = w.pay(
        command.member_id,
        merchant_id=command.merchant_id,
        principal_fen=principal,
        bonus_fen=bonus,
        payment_id=command.payment_id or new_id("wpy"),
    )
    work.emit(
        "loyalty.wallet_paid",
        paid.payment_id,
        member_id=command.member_id,
        merchant_id=command.merchant_id,
        principal_fen=principal,
        bonus_fen=bonus,
    )
    return paid


@handlers.register(authorize=_at_merchant)
def refund_wallet_payment(command: RefundWalletPayment, work: Work) -> WalletBack:
    payment = WalletRepository(work.connection, work.alliance_id).payment(command.payment_id)
    if payment is None or payment["merchant_id"] != command.merchant_id:
        raise WalletNotFound(payment_id=command.payment_id)
    back = wallet(work).give_back(
        command.payment_id,
        refund_fen=command.refund_fen,
        payable_fen=command.payable_fen,
        refund_id=f"{command.payment_id}:{command.idempotency_key}",
    )
    work.audit(
        "loyalty.refund_wallet_payment",
        object_type="wallet_payment",
        object_id=command.payment_id,
        merchant_id=command.merchant_id,
        details={"principal_fen": back.principal_fen, "bonus_fen": back.bonus_fen},
    )
    work.emit(
        "loyalty.wallet_refunded",
        command.payment_id,
        principal_fen=back.principal_fen,
        bonus_fen=back.bonus_fen,
    )
    return back


@handlers.register(authorize=_member_or_operator)
def request_principal_refund(command: RequestPrincipalRefund, work: Work) -> RefundRequest:
    repo = WalletRepository(work.connection, work.alliance_id)
    lot = repo.lot(command.lot_id)
    if lot is None or lot["member_id"] != command.member_id or lot["state"] != "open":
        raise WalletNotFound(lot_id=command.lot_id)
    if not command.reason.strip():
        raise WalletInvalid("a reason is needed", field="reason")
    request_id = new_id("wrf")
    repo.add_refund(
        request_id=request_id,
        member_id=command.member_id,
        lot_id=command.lot_id,
        reason=command.reason.strip()[:200],
        requested_at=work.now,
    )
    work.audit(
        "loyalty.request_principal_refund",
        object_type="wallet_refund",
        object_id=request_id,
        details={"member_id": command.member_id, "lot_id": command.lot_id, "reason": command.reason},
    )
    work.emit(
        "loyalty.wallet_refund_requested", request_id, member_id=command.member_id, lot_id=command.lot_id
    )
    return RefundRequest(request_id, command.member_id, command.lot_id, "pending")


def _finance(actor: Actor, _command: Any) -> None:
    """Money leaves the alliance: administrators and finance only."""
    if not (actor.is_operator("admin", "finance") or actor.kind is ActorKind.SYSTEM):
        raise WalletNotAllowed()


@handlers.register(authorize=_finance)
def decide_principal_refund(command: DecidePrincipalRefund, work: Work) -> RefundRequest:
    repo = WalletRepository(work.connection, work.alliance_id)
    request = repo.refund(command.request_id, lock=True)
    if request is None:
        raise WalletNotFound(request_id=command.request_id)
    if request["state"] != "pending":
        raise WalletRefundDecided(request_id=command.request_id)
    state, paid, forfeited = "rejected", None, None
    if command.approve:
        done: Withdrawal = wallet(work).withdraw(request["lot_id"], request_id=command.request_id)
        state, paid, forfeited = "approved", done.paid_fen, done.bonus_forfeited
    repo.decide_refund(
        command.request_id,
        state=state,
        paid_fen=paid,
        bonus_forfeited=forfeited,
        decided_at=work.now,
        decided_by=work.actor.id,
    )
    work.audit(
        f"loyalty.principal_refund_{state}",
        object_type="wallet_refund",
        object_id=command.request_id,
        details={
            "lot_id": request["lot_id"],
            "paid_fen": paid,
            "bonus_forfeited": forfeited,
            "note": command.note,
        },
    )
    work.emit(
        f"loyalty.wallet_refund_{state}", command.request_id, member_id=request["member_id"], paid_fen=paid
    )
    return RefundRequest(command.request_id, request["member_id"], request["lot_id"], state, paid, forfeited)
