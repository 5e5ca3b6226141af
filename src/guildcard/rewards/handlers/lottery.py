"""The lottery's write commands: publish a campaign (with its commitment), draw, earn draws, reveal.

A draw is one transaction: the member's draw number (an upsert under that member's counter row),
the limits, the entry cost (ledger spend), the random number from the sealed seed, the prize's
stock (one conditional UPDATE: never over-issued) and budget, the prize (ledger award from
``platform:grants``), and the record signed with the alliance's ledger key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from guildcard.kernel.clock import FixedClock, business_date, ensure_utc
from guildcard.kernel.errors import GuildCardError
from guildcard.kernel.ids import new_id
from guildcard.ledger.domain import entries as chart
from guildcard.ledger.keys import sign
from guildcard.ledger.service import Ledger
from guildcard.ledger.settings_store import load_settings, sealed_private_key
from guildcard.pipeline import Command, Work
from guildcard.rewards import watching
from guildcard.rewards.domain.lottery import (
    DrawRecord,
    Outcome,
    Prize,
    PrizeKind,
    check_table,
    choose,
    commitment,
    new_seed,
    record_message,
    settle_outcome,
    table_hash,
)
from guildcard.rewards.domain.lottery_errors import (
    DrawLimitReached,
    LotteryInvalid,
    LotteryNotEligible,
    LotteryNotFound,
    LotteryNotOpen,
    SeedNotRevealable,
)
from guildcard.rewards.domain.mall import Delivery
from guildcard.rewards.handlers import mall_access as access
from guildcard.rewards.handlers.base import handlers
from guildcard.rewards.handlers.mall import give_mall_prize
from guildcard.rewards.handlers.mall_deps import RewardsDeps
from guildcard.rewards.handlers.prizes import issue_prize_coupon, prize_template
from guildcard.rewards.storage.lottery_repository import (
    LotteryCampaign,
    LotteryRepository,
    prize_to_json,
)
from guildcard.rewards.storage.mall_repository import MallRepository


@dataclass(frozen=True, kw_only=True)
class CreateLotteryCampaign(Command):
    scope = "rewards.lottery.create"
    name: str
    starts_at: datetime
    ends_at: datetime
    prizes: tuple[Prize, ...]
    cost_points: int = 0
    free_per_day: int = 0
    per_day_limit: int | None = None
    total_limit: int | None = None
    tiers: tuple[str, ...] = ()
    budget_points: int | None = None  # the most points the points prizes may pay out
    draws_per_purchase: int = 0  # draws earned by each purchase of at least ``purchase_min_fen``
    purchase_min_fen: int = 0


@dataclass(frozen=True, kw_only=True)
class DrawLottery(Command):
    scope = "rewards.lottery.draw"
    campaign_id: str


@dataclass(frozen=True, kw_only=True)
class EarnLotteryDraws(Command):
    """Draws earned by a purchase (or given by the alliance), used after the day's free draws."""

    scope = "rewards.lottery.earn"
    campaign_id: str
    member_id: str
    draws: int = 1


@dataclass(frozen=True, kw_only=True)
class RevealLotterySeed(Command):
    scope = "rewards.lottery.reveal"
    campaign_id: str


@dataclass(frozen=True)
class DrawResult:
    draw_id: str
    campaign_id: str
    n: int
    outcome: Outcome
    prize_id: str | None
    prize_name: str
    prize_kind: PrizeKind
    points_won: int
    cost_points: int
    cell: int  # which of the eight prize cells of the 3×3 grid the draw stops on
    issued: str | None = None  # the coupon or mall order the prize became


@handlers.register(authorize=access.operator)
def create_lottery_campaign(command: CreateLotteryCampaign, work: Work) -> LotteryCampaign:
    """Publish a campaign: its prize table and commitment are fixed from now on."""
    deps: RewardsDeps = work.deps
    prizes = tuple(command.prizes)
    check_table(prizes)
    _check_prize_refs(work, prizes)
    starts, ends = ensure_utc(command.starts_at), ensure_utc(command.ends_at)
    problems = [name for name, bad in (
        ("starts_at", starts <= work.now),  # the commitment is published before the start
        ("ends_at", ends <= starts),
        ("cost_points", command.cost_points < 0 or command.free_per_day < 0),
        ("budget_points", command.budget_points is not None and command.budget_points < 0),
        ("draws_per_purchase", command.draws_per_purchase < 0 or command.purchase_min_fen < 0),
    ) if bad]  # fmt: skip
    if problems:
        raise LotteryInvalid(fields=problems)
    campaign_id = new_id("lot")
    seed, digest = new_seed(), table_hash(prizes)
    repo = LotteryRepository(work.connection, work.alliance_id)
    repo.add_campaign(
        {
            "id": campaign_id, "name": command.name, "starts_at": starts, "ends_at": ends,
            "cost_points": command.cost_points, "free_per_day": command.free_per_day,
            "per_day_limit": command.per_day_limit, "total_limit": command.total_limit,
            "tiers": sorted(command.tiers), "budget_points": command.budget_points, "spent_points": 0,
            "draws_per_purchase": command.draws_per_purchase, "purchase_min_fen": command.purchase_min_fen,
            "prize_table": [prize_to_json(p) for p in prizes], "table_hash": digest,
            "commitment": commitment(campaign_id, seed, digest), "sealed_seed": deps.keys.seal(seed.encode()),
            "public_key": load_settings(work.connection, work.alliance_id).public_key, "created_at": work.now,
        },
        prizes,
    )  # fmt: skip
    campaign = repo.campaign(campaign_id)
    assert campaign is not None
    if campaign.draws_per_purchase > 0:
        watching.changed(work)  # purchases now earn draws: every process's listener must hear them
    work.audit("rewards.lottery.create", object_type="lottery_campaign", object_id=campaign_id,
               details={"commitment": campaign.commitment, "table_hash": digest})  # fmt: skip
    work.emit("rewards.lottery_published", campaign_id, commitment=campaign.commitment, table_hash=digest,
              starts_at=starts.isoformat(), ends_at=ends.isoformat())  # fmt: skip
    return campaign


def _campaign(repo: LotteryRepository, campaign_id: str) -> LotteryCampaign:
    campaign = repo.campaign(campaign_id)
    if campaign is None:
        raise LotteryNotFound(campaign_id=campaign_id)
    return campaign


@handlers.register(authorize=access.member)
def draw_lottery(command: DrawLottery, work: Work) -> DrawResult:
    deps: RewardsDeps = work.deps
    repo = LotteryRepository(work.connection, work.alliance_id)
    campaign = _campaign(repo, command.campaign_id)
    member_id = work.actor.id
    if not (campaign.starts_at <= work.now < campaign.ends_at):
        raise LotteryNotOpen(campaign_id=campaign.id)
    if campaign.tiers and deps.tier_of(work.connection, work.alliance_id, member_id) not in campaign.tiers:
        raise LotteryNotEligible(campaign_id=campaign.id)
    counter = repo.count_draw(campaign.id, member_id, business_date(work.now))
    if campaign.per_day_limit is not None and counter.today > campaign.per_day_limit:
        raise DrawLimitReached(limit=campaign.per_day_limit, period="day")
    if campaign.total_limit is not None and counter.n > campaign.total_limit:
        raise DrawLimitReached(limit=campaign.total_limit, period="total")
    draw_id = new_id("drw")
    ledger = Ledger(work.connection, alliance_id=work.alliance_id, clock=FixedClock(work.now))
    cost = _cost(repo, campaign, member_id, counter.today)
    if cost:
        ledger.spend(
            member_id=member_id, at=chart.PLATFORM_GRANTS, amount=cost, kind="lottery_entry",
            idempotency_key=f"lottery:{draw_id}:entry", reference=f"lottery_draw:{draw_id}",
        )  # fmt: skip
    seed = deps.keys.open(repo.sealed_seed(campaign.id)).decode()
    r, chosen = choose(
        campaign.prizes, seed_hex=seed, campaign_id=campaign.id, member_id=member_id, n=counter.n
    )
    stock_before = _take(repo, campaign, chosen)
    budget_ok = True
    if chosen.kind is PrizeKind.POINTS and (stock_before is None or stock_before > 0):
        budget_ok = repo.take_budget(campaign.id, chosen.points)
        if not budget_ok and chosen.stock is not None:
            repo.give_back_prize(campaign.id, chosen.id)
    outcome, awarded = settle_outcome(chosen, stock_before=stock_before, budget_ok=budget_ok)
    issued = None
    if outcome is Outcome.WON and chosen.kind in (PrizeKind.COUPON, PrizeKind.MALL_ITEM):
        issued = _give_prize(work, chosen, member_id, draw_id)
        if issued is None:
            outcome, awarded = Outcome.UNAVAILABLE, None
            if chosen.stock is not None:
                repo.give_back_prize(campaign.id, chosen.id)
    if outcome is Outcome.WON and chosen.stock is None:
        repo.count_win(campaign.id, chosen.id)
    entry_id = None
    if outcome is Outcome.WON and chosen.kind is PrizeKind.POINTS:
        entry_id = ledger.award(
            member_id=member_id, issuer=chart.PLATFORM_GRANTS, amount=chosen.points, kind="lottery_prize",
            idempotency_key=f"lottery:{draw_id}:prize", reference=f"lottery_draw:{draw_id}",
        ).entry_id  # fmt: skip
    record = DrawRecord(
        id=draw_id, alliance_id=work.alliance_id, campaign_id=campaign.id, member_id=member_id, n=counter.n,
        random_hex=r.hex(), chosen=chosen.id, awarded=awarded, outcome=outcome, stock_before=stock_before,
        cost_points=cost, drawn_at=work.now.isoformat(),
    )  # fmt: skip
    signature = sign(deps.keys, sealed_private_key(work.connection, work.alliance_id), record_message(record))
    repo.add_draw(record, signature=signature, entry_id=entry_id, issued=issued)
    prize = chosen if awarded else _no_prize(campaign.prizes)
    work.emit(
        "rewards.lottery_drawn", draw_id, campaign_id=campaign.id, member_id=member_id, n=counter.n,
        outcome=outcome.value, prize_id=awarded, prize_kind=prize.kind.value if awarded else "none",
        prize_ref=prize.ref if awarded else None, issued=issued, cost_points=cost,
    )  # fmt: skip
    return DrawResult(
        draw_id, campaign.id, counter.n, outcome, awarded, prize.name if prize else "谢谢参与",
        prize.kind if awarded and prize else PrizeKind.NONE, chosen.points if awarded else 0, cost,
        grid_cell(campaign.prizes, awarded), issued,
    )  # fmt: skip


def _check_prize_refs(work: Work, prizes: Sequence[Prize]) -> None:
    """Coupon prizes name a template that may be given away; mall prizes an item picked up or virtual."""
    mall = MallRepository(work.connection, work.alliance_id)
    for prize in prizes:
        if prize.kind is PrizeKind.COUPON:
            if not prize.ref:
                raise LotteryInvalid(fields=["prizes"])
            prize_template(work, prize.ref, field="prizes")
        if prize.kind is PrizeKind.MALL_ITEM:
            item = mall.item(prize.ref) if prize.ref else None
            if item is None or item.delivery is Delivery.SHIPPING:
                raise LotteryInvalid(fields=["prizes"])


def _give_prize(work: Work, prize: Prize, member_id: str, draw_id: str) -> str | None:
    """Issue the coupon or the mall order in a savepoint: its id, or None when it cannot be given."""
    assert prize.ref is not None
    savepoint = work.connection.begin_nested()
    events = len(work.events)
    try:
        if prize.kind is PrizeKind.COUPON:
            found = issue_prize_coupon(work, prize.ref, member_id, claim_key=f"lottery:{draw_id}")
            given = found.coupon_id
        else:
            given = give_mall_prize(work, prize.ref, member_id, reference=f"lottery_draw:{draw_id}").id
    except GuildCardError:
        savepoint.rollback()
        del work.events[events:]
        return None
    savepoint.commit()
    return given


def _cost(repo: LotteryRepository, campaign: LotteryCampaign, member_id: str, today: int) -> int:
    """Free draws of the day first, then draws earned by purchases, then the points price."""
    if today <= campaign.free_per_day:
        return 0
    if repo.use_earned(campaign.id, member_id):
        return 0
    return campaign.cost_points


def _take(repo: LotteryRepository, campaign: LotteryCampaign, chosen: Prize) -> int | None:
    if chosen.kind is PrizeKind.NONE or chosen.stock is None:
        return None
    return repo.take_prize(campaign.id, chosen.id)


def _no_prize(prizes: Sequence[Prize]) -> Prize:
    return next((p for p in prizes if p.kind is PrizeKind.NONE), Prize("none", "谢谢参与", PrizeKind.NONE, 0))


def grid_cell(prizes: Sequence[Prize], awarded: str | None) -> int:
    """The 3×3 grid shows up to eight prizes around the button: the cell the draw lands on."""
    ids = [p.id for p in prizes][:8]
    if awarded in ids:
        return ids.index(awarded)
    nothing = [i for i, p in enumerate(prizes[:8]) if p.kind is PrizeKind.NONE]
    return nothing[0] if nothing else 0


@handlers.register(authorize=access.system)
def earn_lottery_draws(command: EarnLotteryDraws, work: Work) -> int:
    if command.draws < 1:
        raise LotteryInvalid(fields=["draws"])
    repo = LotteryRepository(work.connection, work.alliance_id)
    campaign = _campaign(repo, command.campaign_id)
    repo.earn(campaign.id, command.member_id, command.draws, business_date(work.now))
    work.emit("rewards.lottery_draws_earned", command.member_id, campaign_id=campaign.id, draws=command.draws)
    return command.draws


@dataclass(frozen=True, kw_only=True)
class EarnDrawsForPurchase(Command):
    """A member's purchase: each open campaign that grants draws per purchase ≥ its amount adds them.

    Sent after the purchase commits (``campaign_events``), idempotent per purchase."""

    scope = "rewards.lottery.earn_for_purchase"
    purchase_id: str
    member_id: str
    payable_fen: int
    occurred_at: datetime


@handlers.register(authorize=access.system)
def earn_draws_for_purchase(command: EarnDrawsForPurchase, work: Work) -> dict[str, int]:
    repo = LotteryRepository(work.connection, work.alliance_id)
    at = ensure_utc(command.occurred_at)
    earned = {}
    for campaign in purchase_campaigns(repo.campaigns(), at):
        if command.payable_fen < campaign.purchase_min_fen:
            continue
        repo.earn(campaign.id, command.member_id, campaign.draws_per_purchase, business_date(work.now))
        earned[campaign.id] = campaign.draws_per_purchase
        work.emit("rewards.lottery_draws_earned", command.member_id, campaign_id=campaign.id,
                  draws=campaign.draws_per_purchase, purchase_id=command.purchase_id)  # fmt: skip
    return earned


def purchase_campaigns(campaigns: Sequence[LotteryCampaign], at: datetime) -> list[LotteryCampaign]:
    """The campaigns open at ``at`` that grant draws for purchases."""
    return [c for c in campaigns if c.draws_per_purchase > 0 and c.starts_at <= at < c.ends_at]


@handlers.register(authorize=access.system)
def reveal_lottery_seed(command: RevealLotterySeed, work: Work) -> LotteryCampaign:
    """After the end: publish the seed so that anyone can recompute every draw."""
    deps: RewardsDeps = work.deps
    repo = LotteryRepository(work.connection, work.alliance_id)
    campaign = _campaign(repo, command.campaign_id)
    if work.now < campaign.ends_at:
        raise SeedNotRevealable(campaign_id=campaign.id, ends_at=campaign.ends_at.isoformat())
    if campaign.revealed_seed is None:
        repo.reveal(campaign.id, deps.keys.open(repo.sealed_seed(campaign.id)).decode(), work.now)
        work.audit("rewards.lottery.reveal", object_type="lottery_campaign", object_id=campaign.id)
        work.emit("rewards.lottery_seed_revealed", campaign.id, commitment=campaign.commitment)
    return _campaign(repo, campaign.id)


@dataclass(frozen=True, kw_only=True)
class RevealDueLotterySeeds(Command):
    """The job: reveal the seed of every campaign that has ended by ``as_of``."""

    scope = "rewards.lottery.reveal_due"
    as_of: datetime


@handlers.register(authorize=access.system)
def reveal_due_lottery_seeds(command: RevealDueLotterySeeds, work: Work) -> tuple[str, ...]:
    deps: RewardsDeps = work.deps
    repo = LotteryRepository(work.connection, work.alliance_id)
    as_of = ensure_utc(command.as_of)
    due = [c for c in repo.campaigns() if c.revealed_seed is None and c.ends_at <= min(as_of, work.now)]
    for campaign in due:
        repo.reveal(campaign.id, deps.keys.open(repo.sealed_seed(campaign.id)).decode(), work.now)
        work.emit("rewards.lottery_seed_revealed", campaign.id, commitment=campaign.commitment)
    if due:
        work.audit("rewards.lottery.reveal_due", object_type="lottery_campaigns", object_id=work.alliance_id,
                   details={"campaigns": [c.id for c in due]})  # fmt: skip
    return tuple(c.id for c in due)
