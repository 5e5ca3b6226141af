"""Paid-card commands on the loyalty group: plans and code batches (operators), a sale at a
merchant's counter (its staff: the merchant collects the price and owes it to the alliance), and
a member's activation by code (one use each: a conditional update decides who wins)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.clock import ensure_utc
from guildcard.kernel.ids import new_id
from guildcard.ledger import Posting, Unit, chart
from guildcard.loyalty.domain import cards as rules
from guildcard.loyalty.domain.cards import MAX_BATCH, CardPlan, Period
from guildcard.loyalty.domain.errors import CardCodeNotUsable, CardInvalid, CardNotFound, CardsNotAllowed
from guildcard.loyalty.handlers import LoyaltyCommand, handlers
from guildcard.loyalty.storage.cards import CardRepository
from guildcard.loyalty.tier_handlers import announce, ledger_for, tiering
from guildcard.pipeline import Work

CARD_SALE = "card_sale"  # a settlement direct line (settlement/domain/direct.py)
CARD_REVENUE = "platform:revenue:cards"


def _operator(actor: Actor, _command: Any) -> None:
    if not (actor.is_operator() or actor.kind is ActorKind.SYSTEM):
        raise CardsNotAllowed()


def _at_merchant(actor: Actor, command: Any) -> None:
    if actor.is_operator() or actor.kind is ActorKind.SYSTEM:
        return
    if actor.kind in (ActorKind.STAFF, ActorKind.POS) and actor.merchant_id == command.merchant_id:
        return
    raise CardsNotAllowed()


def _member_or_operator(actor: Actor, command: Any) -> None:
    if actor.kind is ActorKind.MEMBER and actor.id == command.member_id:
        return
    _operator(actor, command)


@dataclass(frozen=True, kw_only=True)
class CreateCardPlan(LoyaltyCommand):
    scope = "loyalty.create_card_plan"
    name: str
    price_fen: int
    period: str = Period.YEAR.value
    days: int = 0
    tier_code: str | None = None
    benefits_text: str = ""


@dataclass(frozen=True, kw_only=True)
class SellPaidCard(LoyaltyCommand):
    scope = "loyalty.sell_paid_card"
    member_id: str
    merchant_id: str
    plan_id: str
    store_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class GenerateCardCodes(LoyaltyCommand):
    scope = "loyalty.generate_card_codes"
    plan_id: str
    size: int
    expires_at: datetime


@dataclass(frozen=True, kw_only=True)
class VoidCardCodes(LoyaltyCommand):
    scope = "loyalty.void_card_codes"
    batch_id: str
    code: str | None = None  # None: every unused code of the batch


@dataclass(frozen=True, kw_only=True)
class ActivateCardCode(LoyaltyCommand):
    scope = "loyalty.activate_card_code"
    member_id: str
    code: str


@dataclass(frozen=True)
class MemberCard:
    card_id: str
    member_id: str
    plan_id: str
    plan_name: str
    tier_code: str | None
    ends_at: datetime
    source: str
    price_fen: int = 0  # what the member paid at the counter (0 by code)


@dataclass(frozen=True)
class CodeBatch:
    batch_id: str
    plan_id: str
    codes: tuple[str, ...]
    expires_at: datetime


@handlers.register(authorize=_operator)
def create_card_plan(command: CreateCardPlan, work: Work) -> CardPlan:
    try:
        period = Period(command.period)
    except ValueError as exc:
        raise CardInvalid(f"unknown period {command.period!r}") from exc
    if command.tier_code is not None and tiering(work).scheme.get(command.tier_code) is None:
        raise CardInvalid(f"no tier {command.tier_code!r}", tier=command.tier_code)
    plan = CardPlan(
        new_id("cpl"),
        command.name.strip(),
        command.price_fen,
        period,
        command.days,
        command.tier_code,
        command.benefits_text.strip(),
    )
    CardRepository(work.connection, work.alliance_id).add_plan(plan, now=work.now)
    work.audit(
        "loyalty.create_card_plan",
        object_type="card_plan",
        object_id=plan.plan_id,
        details={"name": plan.name, "price_fen": plan.price_fen, "tier": plan.tier_code},
    )
    return plan


def _grant(work: Work, plan: CardPlan, member_id: str, *, source: str, **values: Any) -> MemberCard:
    repo = CardRepository(work.connection, work.alliance_id)
    t = tiering(work)
    t.held(member_id)  # locks the member's tier row: renewals of one member queue here
    ends = rules.valid_until(plan, current_end=repo.valid_until(member_id), now=work.now)
    card_id = new_id("mcd")
    repo.add_card(
        card_id=card_id,
        member_id=member_id,
        plan_id=plan.plan_id,
        source=source,
        starts_at=work.now,
        ends_at=ends,
        created_at=work.now,
        **values,
    )
    if plan.tier_code is not None:  # a plan without a tier adds benefits on top of the growth tier
        announce(work, t.grant_card(member_id, tier=plan.tier_code, ends_at=ends, reference=card_id))
    work.emit(
        "loyalty.paid_card_granted",
        card_id,
        member_id=member_id,
        plan_id=plan.plan_id,
        source=source,
        ends_at=ends.isoformat(),
    )
    price = int(values.get("price_fen", 0))
    return MemberCard(card_id, member_id, plan.plan_id, plan.name, plan.tier_code, ends, source, price)


@handlers.register(authorize=_at_merchant)
def sell_paid_card(command: SellPaidCard, work: Work) -> MemberCard:
    """Sold at a merchant's counter: the merchant collects the price and owes it to the alliance."""
    plan = CardRepository(work.connection, work.alliance_id).plan(command.plan_id)
    if plan is None or not plan.active:
        raise CardNotFound(plan_id=command.plan_id)
    sale_id = new_id("csl")
    entry_id = None
    if plan.price_fen:
        entry_id = (
            ledger_for(work)
            .post(
                kind=CARD_SALE,
                idempotency_key=f"{sale_id}:sale",
                reference=sale_id,
                member_id=command.member_id,
                postings=[
                    Posting(chart.merchant_settlement(command.merchant_id), Unit.FEN, plan.price_fen),
                    Posting(CARD_REVENUE, Unit.FEN, -plan.price_fen),
                ],
            )
            .entry_id
        )
    card = _grant(
        work,
        plan,
        command.member_id,
        source="sale",
        merchant_id=command.merchant_id,
        price_fen=plan.price_fen,
        entry_id=entry_id,
    )
    work.audit(
        "loyalty.sell_paid_card",
        object_type="member_card",
        object_id=card.card_id,
        merchant_id=command.merchant_id,
        store_id=command.store_id,
        details={"member_id": command.member_id, "plan_id": plan.plan_id, "price_fen": plan.price_fen},
    )
    return card


@handlers.register(authorize=_operator)
def generate_card_codes(command: GenerateCardCodes, work: Work) -> CodeBatch:
    repo = CardRepository(work.connection, work.alliance_id)
    if repo.plan(command.plan_id) is None:
        raise CardNotFound(plan_id=command.plan_id)
    if not 1 <= command.size <= MAX_BATCH:
        raise CardInvalid(f"a batch has 1 to {MAX_BATCH} codes", size=command.size)
    expires = ensure_utc(command.expires_at)
    if expires <= work.now:
        raise CardInvalid("codes expire in the future", expires_at=expires.isoformat())
    codes = sorted({rules.new_code() for _ in range(command.size)})
    while len(codes) < command.size:  # a duplicate among random codes: draw again
        codes = sorted({*codes, rules.new_code()})
    batch_id = new_id("cbt")
    repo.add_batch(
        batch_id=batch_id,
        plan_id=command.plan_id,
        codes=codes,
        expires_at=expires,
        actor_id=work.actor.id,
        now=work.now,
    )
    work.audit(
        "loyalty.generate_card_codes",
        object_type="card_batch",
        object_id=batch_id,
        details={"plan_id": command.plan_id, "size": command.size, "expires_at": expires.isoformat()},
    )
    return CodeBatch(batch_id, command.plan_id, tuple(codes), expires)


@handlers.register(authorize=_operator)
def void_card_codes(command: VoidCardCodes, work: Work) -> int:
    repo = CardRepository(work.connection, work.alliance_id)
    if repo.batch(command.batch_id) is None:
        raise CardNotFound(batch_id=command.batch_id)
    voided = repo.void(
        batch_id=command.batch_id, code=rules.normalized(command.code) if command.code else None
    )
    work.audit(
        "loyalty.void_card_codes",
        object_type="card_batch",
        object_id=command.batch_id,
        details={"code": command.code, "voided": voided},
    )
    return voided


@handlers.register(authorize=_member_or_operator)
def activate_card_code(command: ActivateCardCode, work: Work) -> MemberCard:
    repo = CardRepository(work.connection, work.alliance_id)
    code = rules.normalized(command.code)
    batch_id = repo.use_code(code, member_id=command.member_id, now=work.now)
    if batch_id is None:
        raise CardCodeNotUsable()
    batch = repo.batch(batch_id)
    plan = repo.plan(batch["plan_id"]) if batch else None
    if plan is None:
        raise CardNotFound(batch_id=batch_id)
    card = _grant(work, plan, command.member_id, source="code", code=code, price_fen=0, entry_id=None)
    work.audit(
        "loyalty.activate_card_code",
        object_type="member_card",
        object_id=card.card_id,
        details={"member_id": command.member_id, "batch_id": batch_id},
    )
    return card
