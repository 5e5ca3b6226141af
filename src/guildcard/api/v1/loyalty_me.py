"""``/api/v1/me/wallet``, ``/api/v1/me/tier``, ``/api/v1/me/cards``: the signed-in member's
stored value with its history, tier with progress and changes, and paid cards; and
``GET /api/v1/me/growth``: the growth list (成长值明细); ``POST /api/v1/me/wallet/redeem``: a
top-up by code (储值卡密; 429 past a few tries an hour).

Thin: the loyalty services answer; errors are problem+json (401 unauthenticated, 403
``members.members_only`` for a non-member credential).
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from guildcard.api.deps import ContainerDep
from guildcard.api.permits import requires
from guildcard.api.v1.alliance_common import IdempotencyKey, mark_replay
from guildcard.api.v1.members_me import MemberActor, MembersOnly
from guildcard.api.v1.members_schemas import problems
from guildcard.kernel.permissions import P

router = APIRouter(prefix="/api/v1/me", tags=["me"])


class WalletLineRead(BaseModel):
    kind: str  # topup, payment, refunded
    at: datetime
    merchant_id: str
    principal_fen: int  # positive into the wallet, negative out of it
    bonus_fen: int


class WalletRead(BaseModel):
    principal_fen: int
    bonus_fen: int
    total_fen: int
    history: list[WalletLineRead]


class CodeRedeem(BaseModel):
    code: str = Field(
        min_length=1, max_length=40, description="As printed; case, spaces and dashes do not matter."
    )


class CodeTopUpRead(BaseModel):
    topup_id: str
    merchant_id: str  # the merchant that sold the code
    principal_fen: int
    balance_fen: int  # the wallet after the top-up (principal and bonus)


class TierChangeRead(BaseModel):
    at: datetime
    from_tier: str
    to_tier: str
    reason: str


class TierRead(BaseModel):
    code: str
    name: str
    growth: int
    next_tier: str | None
    to_next: int
    keep_needed: int
    window_ends: datetime | None
    history: list[TierChangeRead]


class GrowthEntryRead(BaseModel):
    business: str  # purchase, refund or adjustment
    number: str | None  # the merchant's order number, or the refund number
    amount: int  # growth in (positive) or taken back (negative)
    at: datetime


class CardRead(BaseModel):
    card_id: str
    plan_id: str
    plan_name: str | None
    source: str  # sale, code
    starts_at: datetime
    ends_at: datetime
    valid: bool


@router.get("/wallet", response_model=WalletRead, responses=problems(401, 403))
def my_wallet(actor: MemberActor, container: ContainerDep) -> WalletRead:
    """The stored-value balance (principal and bonus) and its latest 50 movements, newest first."""
    a, m = actor.alliance_id, actor.id
    held = container.wallets.balance(alliance_id=a, member_id=m)
    lines = [
        WalletLineRead(kind=w.kind, at=w.at, merchant_id=w.merchant_id, principal_fen=w.principal_fen,
                       bonus_fen=w.bonus_fen)
        for w in container.wallets.history(alliance_id=a, member_id=m)
    ]  # fmt: skip
    return WalletRead(principal_fen=held.principal, bonus_fen=held.bonus, total_fen=held.total, history=lines)


@router.post(
    "/wallet/redeem",
    response_model=CodeTopUpRead,
    responses=problems(401, 403, 422, 429),
    dependencies=[requires(P.MEMBER_SELF, MembersOnly)],
)
def redeem_code(
    body: CodeRedeem,
    actor: MemberActor,
    container: ContainerDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> CodeTopUpRead:
    """Top up the wallet with a code: once per code (422 ``loyalty.topup_code_not_usable`` when it is
    unknown, used, voided or expired); 429 ``loyalty.too_many_code_attempts`` past 10 tries an hour.

    With an `Idempotency-Key`, a retry returns the first answer (`Idempotent-Replayed: true`).
    """
    done = container.wallets.redeem_code(
        actor, member_id=actor.id, code=body.code, idempotency_key=idempotency_key
    )
    mark_replay(response, done.replayed)
    topped = done.value
    return CodeTopUpRead(
        topup_id=topped.topup_id, merchant_id=topped.merchant_id, principal_fen=topped.principal_fen,
        balance_fen=topped.balance.total,
    )  # fmt: skip


@router.get("/tier", response_model=TierRead, responses=problems(401, 403))
def my_tier(actor: MemberActor, container: ContainerDep) -> TierRead:
    """The tier in effect, the growth counted, what the next tier and retention need, the changes."""
    a, m = actor.alliance_id, actor.id
    standing = container.tiers.standing(alliance_id=a, member_id=m)
    p = standing.progress
    history = [
        TierChangeRead(at=c["at"], from_tier=c["from_tier"], to_tier=c["to_tier"], reason=c["reason"])
        for c in container.tiers.history(alliance_id=a, member_id=m)
    ]
    return TierRead(
        code=standing.tier.code, name=standing.tier.name, growth=p.growth,
        next_tier=p.next_tier.code if p.next_tier else None, to_next=p.to_next, keep_needed=p.keep_needed,
        window_ends=p.window_ends, history=history,
    )  # fmt: skip


@router.get("/growth", response_model=list[GrowthEntryRead], responses=problems(401, 403))
def my_growth(actor: MemberActor, container: ContainerDep) -> list[GrowthEntryRead]:
    """The growth list (成长值明细): the latest 50 entries, newest first, with the order or refund."""
    return [
        GrowthEntryRead(business=g.business, number=g.number, amount=g.amount, at=g.at)
        for g in container.tiers.growth_entries(alliance_id=actor.alliance_id, member_id=actor.id)
    ]


@router.get("/cards", response_model=list[CardRead], responses=problems(401, 403))
def my_cards(actor: MemberActor, container: ContainerDep) -> list[CardRead]:
    """The member's paid cards, latest end first; ``valid`` while the card has not ended."""
    a = actor.alliance_id
    plans = {p.plan_id: p.name for p in container.cards.plans(alliance_id=a)}
    now = container.clock.now()
    return [
        CardRead(card_id=c["card_id"], plan_id=c["plan_id"], plan_name=plans.get(c["plan_id"]),
                 source=c["source"], starts_at=c["starts_at"], ends_at=c["ends_at"], valid=c["ends_at"] > now)
        for c in container.cards.cards_of(alliance_id=a, member_id=actor.id)
    ]  # fmt: skip
