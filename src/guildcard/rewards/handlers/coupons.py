"""Coupon commands: templates, claims (coupon centre, points, gifts), bulk issue, transfers, write-off.

Every claim counts against the template's total and the member's limit by conditional updates
in the command's transaction (``CouponRepository.take_one``): 200 members claiming the last 10
at once get exactly 10. Points for a coupon bought with points are spent through the ledger
(expiry first) in the same transaction. Use at the counter is in ``coupon_use.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from guildcard.kernel.errors import GuildCardError
from guildcard.kernel.ids import new_id
from guildcard.ledger import chart
from guildcard.ledger.handlers import LedgerAccess
from guildcard.pipeline import Command, Work
from guildcard.rewards.domain import coupon_access as access
from guildcard.rewards.domain.coupons import (
    UNLIMITED,
    Audience,
    ClaimWay,
    Coupon,
    CouponAlreadyUsed,
    CouponKind,
    CouponLimitReached,
    CouponNotFound,
    CouponNotTransferable,
    CouponNotUsable,
    CouponRules,
    CouponSoldOut,
    CouponState,
    CouponTemplate,
    CouponTemplateInvalid,
    CouponTemplateNotFound,
    Funding,
    IssueAudienceUnknown,
    MemberFacts,
    Place,
    check_claimable,
    check_template,
    judge,
    new_code,
    validity,
)
from guildcard.rewards.handlers.base import handlers
from guildcard.rewards.ports import RewardsPorts
from guildcard.rewards.storage.coupons import (
    CouponRepository,
    coupon_from_dict,
    coupon_to_dict,
    template_from_dict,
    template_to_dict,
)

ISSUE_BATCH = 200


@dataclass
class CouponDeps:
    """What coupon handlers need: other contexts' facts (ports) and the ledger's access."""

    ports: RewardsPorts = field(default_factory=RewardsPorts)
    ledger: LedgerAccess = field(default_factory=LedgerAccess)


_DEFAULT_DEPS = CouponDeps()


def coupon_deps(work: Work) -> CouponDeps:
    """The coupons' dependencies: ``work.deps`` itself, or its ``coupons`` attribute."""
    found = getattr(work.deps, "coupons", work.deps)
    return found if isinstance(found, CouponDeps) else _DEFAULT_DEPS


def _canon(value: Any) -> Any:
    if isinstance(value, frozenset | set):
        return sorted(str(v) for v in value)
    if isinstance(value, tuple | list):
        return [_canon(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


@dataclass(frozen=True, kw_only=True)
class CouponCommand(Command):
    def identity(self) -> Mapping[str, Any]:
        return {k: _canon(v) for k, v in super().identity().items()}


_TEMPLATE_CODEC: dict[str, Any] = {
    "remember": template_to_dict,
    "replay": lambda stored, _work: template_from_dict(stored),
}
_COUPON_CODEC: dict[str, Any] = {
    "remember": coupon_to_dict,
    "replay": lambda stored, _work: coupon_from_dict(stored),
}


# --- templates ----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CreateCouponTemplate(CouponCommand):
    scope = "rewards.create_coupon"
    name: str
    kind: CouponKind
    issuer_merchant_id: str | None = None  # None: an alliance coupon
    value_fen: int = 0
    percent_off: int = 0
    cap_fen: int = 0
    threshold_fen: int = 0
    item: str = ""
    store_ids: frozenset[str] = frozenset()
    merchant_ids: frozenset[str] = frozenset()
    trades: frozenset[str] = frozenset()
    funding: Funding = Funding.ISSUER
    issuer_share_percent: int = 100
    stackable_with_points: bool = True
    transferable: bool = False
    total: int = UNLIMITED
    per_member_limit: int = 1
    claim_from: datetime | None = None
    claim_until: datetime | None = None
    use_from: datetime | None = None
    use_until: datetime | None = None
    valid_days: int | None = None
    audience: Audience = Audience.EVERYONE
    tiers: frozenset[str] = frozenset()
    ways: frozenset[ClaimWay] = frozenset({ClaimWay.CENTRE})
    points_price: int = 0
    description: str = ""

    def template(self, template_id: str) -> CouponTemplate:
        rules = CouponRules(
            kind=CouponKind(self.kind), name=self.name.strip(), issuer_merchant_id=self.issuer_merchant_id,
            value_fen=self.value_fen, percent_off=self.percent_off, cap_fen=self.cap_fen,
            threshold_fen=self.threshold_fen, item=self.item.strip(), store_ids=frozenset(self.store_ids),
            merchant_ids=frozenset(self.merchant_ids), trades=frozenset(self.trades),
            funding=Funding.MARKETING if self.issuer_merchant_id is None else Funding(self.funding),
            issuer_share_percent=self.issuer_share_percent,
            stackable_with_points=self.stackable_with_points, transferable=self.transferable,
        )  # fmt: skip
        return CouponTemplate(
            template_id=template_id, rules=rules, total=self.total, per_member_limit=self.per_member_limit,
            claim_from=self.claim_from, claim_until=self.claim_until, use_from=self.use_from,
            use_until=self.use_until, valid_days=self.valid_days, audience=Audience(self.audience),
            tiers=frozenset(self.tiers), ways=frozenset(ClaimWay(w) for w in self.ways),
            points_price=self.points_price, description=self.description.strip(),
        )  # fmt: skip


def _may_create(actor: Any, command: CreateCouponTemplate) -> None:
    access.may_manage(actor, command.issuer_merchant_id)
    if (
        command.issuer_merchant_id is not None
        and actor.kind.value == "staff"
        and command.funding != Funding.ISSUER
    ):
        # The alliance's marketing money is the alliance's to commit: merchants fund their own coupons.
        raise CouponTemplateInvalid("A merchant's coupon is funded by the merchant.", field="funding")


@handlers.register(authorize=_may_create, **_TEMPLATE_CODEC)
def create_coupon_template(command: CreateCouponTemplate, work: Work) -> CouponTemplate:
    template = check_template(command.template(new_id("cpt")))
    _check_stores(work, template.rules)
    CouponRepository(work.connection).add_template(
        work.alliance_id, template, actor_id=work.actor.id, now=work.now
    )
    values = template_to_dict(template)
    work.audit(
        "rewards.create_coupon", object_type="coupon_template", object_id=template.template_id,
        merchant_id=template.rules.issuer_merchant_id, details=values,
    )  # fmt: skip
    work.emit("rewards.coupon_created", template.template_id, template=values)
    return template


def _check_stores(work: Work, rules: CouponRules) -> None:
    places = coupon_deps(work).ports.places
    if places is None:
        return
    for store_id in sorted(rules.store_ids):
        if places.place(work.connection, work.alliance_id, store_id).merchant_id != rules.issuer_merchant_id:
            raise CouponTemplateInvalid("Choose the issuer's own stores only.", field="store_ids")


@dataclass(frozen=True, kw_only=True)
class StopCouponTemplate(CouponCommand):
    """No more claims of it; coupons already held stay valid."""

    scope = "rewards.stop_coupon"
    template_id: str


@handlers.register(**_TEMPLATE_CODEC)
def stop_coupon_template(command: StopCouponTemplate, work: Work) -> CouponTemplate:
    repo = CouponRepository(work.connection)
    template = _template(repo, work, command.template_id)
    access.may_manage(work.actor, template.rules.issuer_merchant_id)
    repo.set_active(work.alliance_id, template.template_id, False)
    work.audit(
        "rewards.stop_coupon", object_type="coupon_template", object_id=template.template_id,
        merchant_id=template.rules.issuer_merchant_id,
    )  # fmt: skip
    work.emit("rewards.coupon_stopped", template.template_id)
    return _template(repo, work, command.template_id)


def _template(repo: CouponRepository, work: Work, template_id: str) -> CouponTemplate:
    found = repo.get_template(work.alliance_id, template_id)
    if found is None:
        raise CouponTemplateNotFound(template_id=template_id)
    return found


# --- claims -------------------------------------------------------------------------------


def grant_coupon(
    work: Work,
    template: CouponTemplate,
    member: MemberFacts,
    way: ClaimWay,
    *,
    claim_key: str | None = None,
    points_entry_id: str | None = None,
) -> Coupon:
    """Give ``member`` one coupon of ``template`` now, within the total and their limit.

    Raises ``CouponSoldOut`` or ``CouponLimitReached`` (roll back: the counts were moved);
    with a ``claim_key`` seen before, returns the coupon given then (gifts, bulk issue).
    """
    repo = CouponRepository(work.connection)
    if claim_key is not None:
        earlier = repo.by_claim_key(work.alliance_id, claim_key)
        if earlier is not None:
            return earlier
    check_claimable(template, way, member, work.now)
    refused = repo.take_one(work.alliance_id, template, member.member_id)
    if refused == "limit":
        raise CouponLimitReached(template_id=template.template_id, limit=template.per_member_limit)
    if refused == "sold_out":
        raise CouponSoldOut(template_id=template.template_id)
    valid_from, valid_until = validity(template, work.now)
    coupon = Coupon(
        coupon_id=new_id("cpn"), code=new_code(), template_id=template.template_id,
        member_id=member.member_id, rules=template.rules, valid_from=valid_from, valid_until=valid_until,
        origin=way, claimed_at=work.now,
    )  # fmt: skip
    repo.add_coupon(work.alliance_id, coupon, claim_key=claim_key, points_entry_id=points_entry_id)
    work.emit(
        "rewards.coupon_issued", coupon.coupon_id, template_id=template.template_id,
        member_id=member.member_id, origin=way.value,
    )  # fmt: skip
    return coupon


def _facts(work: Work, member_id: str) -> MemberFacts:
    return coupon_deps(work).ports.members.facts(work.connection, work.alliance_id, member_id)


@dataclass(frozen=True, kw_only=True)
class ClaimCoupon(CouponCommand):
    """A member claims a coupon in the coupon centre (领券中心)."""

    scope = "rewards.claim_coupon"
    member_id: str
    template_id: str


@handlers.register(authorize=lambda actor, c: access.member_self(actor, c.member_id), **_COUPON_CODEC)
def claim_coupon(command: ClaimCoupon, work: Work) -> Coupon:
    template = _template(CouponRepository(work.connection), work, command.template_id)
    return grant_coupon(work, template, _facts(work, command.member_id), ClaimWay.CENTRE)


@dataclass(frozen=True, kw_only=True)
class BuyCouponWithPoints(CouponCommand):
    """A member buys a coupon with points: spent through the ledger, soonest expiry first."""

    scope = "rewards.buy_coupon"
    member_id: str
    template_id: str


@handlers.register(authorize=lambda actor, c: access.member_self(actor, c.member_id), **_COUPON_CODEC)
def buy_coupon_with_points(command: BuyCouponWithPoints, work: Work) -> Coupon:
    template = _template(CouponRepository(work.connection), work, command.template_id)
    member = _facts(work, command.member_id)
    check_claimable(template, ClaimWay.POINTS, member, work.now)
    issuer = template.rules.issuer_merchant_id
    # Points paid for a merchant's coupon reimburse that merchant (it gives the discount);
    # for an alliance coupon they go where the points mall's do.
    at = chart.PLATFORM_MALL if issuer is None else chart.merchant_redeemed(issuer)
    ledger = coupon_deps(work).ledger.for_command(work)
    entry = ledger.spend(
        member_id=member.member_id, at=at, amount=template.points_price,
        idempotency_key=f"coupon_buy:{command.idempotency_key or new_id('key')}",
        kind="coupon_purchase", reference=template.template_id,
    )  # fmt: skip
    return grant_coupon(work, template, member, ClaimWay.POINTS, points_entry_id=entry.entry_id)


@dataclass(frozen=True, kw_only=True)
class GiftCoupon(CouponCommand):
    """A campaign (registration, birthday, referral, upgrade pack) gives a coupon, once per ``reason``."""

    scope = "rewards.gift_coupon"
    member_id: str
    template_id: str
    reason: str  # e.g. "registration", "birthday:2026", "referral:{member}"


@handlers.register(**_COUPON_CODEC)
def gift_coupon(command: GiftCoupon, work: Work) -> Coupon:
    repo = CouponRepository(work.connection)
    template = _template(repo, work, command.template_id)
    access.may_issue(work.actor, template.rules.issuer_merchant_id)
    key = f"gift:{command.template_id}:{command.member_id}:{command.reason}"
    return grant_coupon(work, template, _facts(work, command.member_id), ClaimWay.GIFT, claim_key=key)


@dataclass(frozen=True, kw_only=True)
class GiveCouponToFriend(CouponCommand):
    """赠送: the member gives an unused, transferable coupon to another member."""

    scope = "rewards.give_coupon"
    member_id: str
    coupon_id: str
    friend_member_id: str


@handlers.register(authorize=lambda actor, c: access.member_self(actor, c.member_id), **_COUPON_CODEC)
def give_coupon_to_friend(command: GiveCouponToFriend, work: Work) -> Coupon:
    repo = CouponRepository(work.connection)
    coupon = repo.get(work.alliance_id, command.coupon_id)
    if coupon is None or coupon.member_id != command.member_id:
        raise CouponNotFound(coupon_id=command.coupon_id)
    if not coupon.rules.transferable:
        raise CouponNotTransferable(coupon_id=coupon.coupon_id)
    if command.friend_member_id == command.member_id:
        raise CouponNotTransferable("A coupon cannot be given to yourself.", coupon_id=coupon.coupon_id)
    friend = _facts(work, command.friend_member_id)
    if work.now >= coupon.valid_until or not repo.mark_transferred(work.alliance_id, coupon.coupon_id):
        raise CouponAlreadyUsed(coupon_id=coupon.coupon_id)
    given = Coupon(
        coupon_id=new_id("cpn"), code=new_code(), template_id=coupon.template_id, member_id=friend.member_id,
        rules=coupon.rules, valid_from=coupon.valid_from, valid_until=coupon.valid_until,
        origin=ClaimWay.TRANSFER, claimed_at=work.now,
    )  # fmt: skip
    repo.add_coupon(work.alliance_id, given, from_coupon_id=coupon.coupon_id)
    work.emit(
        "rewards.coupon_given", given.coupon_id, from_coupon_id=coupon.coupon_id,
        from_member_id=command.member_id, member_id=friend.member_id,
    )  # fmt: skip
    return given


# --- bulk issue (a job, with progress, idempotent per member) --------------------------------


@dataclass(frozen=True)
class IssueJob:
    job_id: str
    template_id: str
    total: int
    done: int
    issued: int
    skipped: tuple[tuple[str, str], ...] = ()
    finished: bool = False


def _job(row: Any) -> IssueJob:
    return IssueJob(
        row.job_id, row.template_id, len(row.member_ids), int(row.done), int(row.issued),
        tuple((m, code) for m, code in row.skipped), row.state == "finished",
    )  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class StartIssueJob(CouponCommand):
    """Staff or operators issue a coupon to chosen members, or to every member of a tier or of a
    saved segment (resolved now, at the start); ``RunIssueJob`` works through them."""

    scope = "rewards.start_issue"
    template_id: str
    member_ids: tuple[str, ...] = ()
    tier_code: str | None = None  # every member whose tier in effect is this one
    segment_id: str | None = None  # every member a saved segment holds now


@handlers.register()
def start_issue_job(command: StartIssueJob, work: Work) -> IssueJob:
    repo = CouponRepository(work.connection)
    template = _template(repo, work, command.template_id)
    access.may_issue(work.actor, template.rules.issuer_merchant_id)
    members = list(dict.fromkeys(_audience(command, work)))  # each member once, in the order given
    if not members:
        raise CouponTemplateInvalid("Choose at least one member.", field="member_ids")
    job_id = new_id("job")
    repo.add_job(
        work.alliance_id, job_id, template.template_id, members, actor_id=work.actor.id, now=work.now
    )
    work.audit(
        "rewards.start_issue", object_type="coupon_template", object_id=template.template_id,
        merchant_id=template.rules.issuer_merchant_id,
        details={"job_id": job_id, "members": len(members), "tier_code": command.tier_code,
                 "segment_id": command.segment_id},
    )  # fmt: skip
    return IssueJob(job_id, template.template_id, len(members), 0, 0)


def _audience(command: StartIssueJob, work: Work) -> list[str]:
    """The chosen members, or a tier's or a segment's (exactly one of the three)."""
    chosen = [bool(command.member_ids), command.tier_code is not None, command.segment_id is not None]
    if sum(chosen) != 1:
        raise CouponTemplateInvalid("Choose members, a tier or a segment.", field="member_ids")
    if command.member_ids:
        return list(command.member_ids)
    found = coupon_deps(work).ports.audiences.members(
        work.connection, work.alliance_id, tier_code=command.tier_code, segment_id=command.segment_id,
        at=work.now,
    )  # fmt: skip
    if found is None:
        raise IssueAudienceUnknown(tier_code=command.tier_code, segment_id=command.segment_id)
    return found


@dataclass(frozen=True, kw_only=True)
class RunIssueJob(CouponCommand):
    """Issue to the job's next ``batch`` members (each in a savepoint; a refused member is skipped)."""

    scope = "rewards.run_issue"
    job_id: str
    batch: int = ISSUE_BATCH


@handlers.register()
def run_issue_job(command: RunIssueJob, work: Work) -> IssueJob:
    repo = CouponRepository(work.connection)
    row = repo.get_job(work.alliance_id, command.job_id, for_update=True)
    if row is None:
        raise CouponTemplateNotFound("No such issue job.", job_id=command.job_id)
    job = _job(row)
    template = _template(repo, work, job.template_id)
    access.may_issue(work.actor, template.rules.issuer_merchant_id)
    if job.finished:
        return job
    members = list(row.member_ids)
    batch = members[job.done : job.done + max(1, command.batch)]
    issued, skipped = job.issued, [list(s) for s in job.skipped]
    for member_id in batch:
        error = _issue_one(work, template, member_id, f"issue:{job.job_id}:{member_id}")
        if error is None:
            issued += 1
        else:
            skipped.append([member_id, error])
    done = job.done + len(batch)
    finished = done >= len(members)
    repo.save_job_progress(
        work.alliance_id,
        job.job_id,
        done=done,
        issued=issued,
        skipped=skipped,
        now=work.now,
        finished=finished,
    )
    if finished:
        work.emit(
            "rewards.coupon_issue_finished", job.job_id, template_id=template.template_id, issued=issued
        )
    return _job(repo.get_job(work.alliance_id, job.job_id))


def _issue_one(work: Work, template: CouponTemplate, member_id: str, claim_key: str) -> str | None:
    """Issue to one member in a savepoint; a refused member (sold out, limit, gone) is skipped."""
    conn: Connection = work.connection
    savepoint = conn.begin_nested()
    events = len(work.events)
    try:
        grant_coupon(work, template, _facts(work, member_id), ClaimWay.STAFF, claim_key=claim_key)
    except GuildCardError as exc:
        savepoint.rollback()
        del work.events[events:]
        return exc.code
    savepoint.commit()
    return None


# --- exchange coupons: written off on their own ----------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RedeemExchangeCoupon(CouponCommand):
    """兑换券核销: scan the coupon's code at the issuer's store, confirm, written off once."""

    scope = "rewards.redeem_exchange"
    store_id: str
    code: str


@handlers.register(**_COUPON_CODEC)
def redeem_exchange_coupon(command: RedeemExchangeCoupon, work: Work) -> Coupon:
    place = _place(work, command.store_id)
    access.at_counter(work.actor, place)
    repo = CouponRepository(work.connection)
    coupon = repo.by_code(work.alliance_id, command.code.strip().upper())
    if coupon is None:
        raise CouponNotFound(code="redacted")
    verdict = judge(coupon, bill_fen=0, place=place, at=work.now, exchange=True)
    if not verdict.usable:
        assert verdict.reason is not None
        if verdict.reason.value == "state":
            raise CouponAlreadyUsed(coupon_id=coupon.coupon_id)
        raise CouponNotUsable(coupon_id=coupon.coupon_id, reason=verdict.reason.value)
    used = repo.mark_used(
        work.alliance_id, coupon, purchase_id=new_id("xch"), merchant_id=place.merchant_id,
        store_id=place.store_id, discount_fen=0, now=work.now,
    )  # fmt: skip
    if used is None:
        raise CouponAlreadyUsed(coupon_id=coupon.coupon_id)
    work.audit(
        "rewards.redeem_exchange", object_type="coupon", object_id=coupon.coupon_id,
        merchant_id=place.merchant_id, store_id=place.store_id, details={"item": coupon.rules.item},
    )  # fmt: skip
    work.emit(
        "rewards.coupon_redeemed", coupon.coupon_id, template_id=coupon.template_id,
        merchant_id=place.merchant_id, store_id=place.store_id, discount_fen=0,
    )  # fmt: skip
    return used


def _place(work: Work, store_id: str) -> Place:
    places = coupon_deps(work).ports.places
    if places is None:
        raise CouponNotUsable("Stores are not available.", store_id=store_id)
    return places.place(work.connection, work.alliance_id, store_id)


__all__ = [
    "BuyCouponWithPoints",
    "ClaimCoupon",
    "CouponDeps",
    "CouponState",
    "CreateCouponTemplate",
    "GiftCoupon",
    "GiveCouponToFriend",
    "IssueJob",
    "RedeemExchangeCoupon",
    "RunIssueJob",
    "StartIssueJob",
    "StopCouponTemplate",
    "grant_coupon",
]
