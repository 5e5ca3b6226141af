"""Lottery rows on the caller's connection (never commits)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, case, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from guildcard.rewards.domain.lottery import DrawRecord, Outcome, Prize, PrizeKind
from guildcard.rewards.storage.lottery_tables import (
    lottery_campaigns,
    lottery_draws,
    lottery_entries,
    lottery_prizes,
)


@dataclass(frozen=True, kw_only=True)
class LotteryCampaign:
    id: str
    name: str
    starts_at: datetime
    ends_at: datetime
    cost_points: int
    free_per_day: int
    per_day_limit: int | None
    total_limit: int | None
    tiers: frozenset[str]
    budget_points: int | None
    spent_points: int
    prizes: tuple[Prize, ...]
    table_hash: str
    commitment: str
    revealed_seed: str | None
    revealed_at: datetime | None
    public_key: str
    draws_per_purchase: int = 0  # draws a purchase of at least ``purchase_min_fen`` earns
    purchase_min_fen: int = 0


def prize_to_json(prize: Prize) -> dict[str, Any]:
    return {
        "id": prize.id, "name": prize.name, "kind": prize.kind.value, "weight": prize.weight,
        "stock": prize.stock, "points": prize.points, "ref": prize.ref,
    }  # fmt: skip


def prize_from_json(value: dict[str, Any]) -> Prize:
    return Prize(
        value["id"], value["name"], PrizeKind(value["kind"]), int(value["weight"]),
        None if value.get("stock") is None else int(value["stock"]), int(value.get("points") or 0),
        value.get("ref"),
    )  # fmt: skip


def campaign_of(row: Any) -> LotteryCampaign:
    return LotteryCampaign(
        id=row.id, name=row.name, starts_at=row.starts_at, ends_at=row.ends_at,
        cost_points=int(row.cost_points), free_per_day=int(row.free_per_day), per_day_limit=row.per_day_limit,
        total_limit=row.total_limit, tiers=frozenset(row.tiers or ()),
        budget_points=None if row.budget_points is None else int(row.budget_points),
        spent_points=int(row.spent_points), prizes=tuple(prize_from_json(p) for p in row.prize_table),
        table_hash=row.table_hash, commitment=row.commitment, revealed_seed=row.revealed_seed,
        revealed_at=row.revealed_at, public_key=row.public_key,
        draws_per_purchase=int(row.draws_per_purchase or 0), purchase_min_fen=int(row.purchase_min_fen or 0),
    )  # fmt: skip


def record_of(row: Any) -> DrawRecord:
    return DrawRecord(
        id=row.id, alliance_id=row.alliance_id, campaign_id=row.campaign_id, member_id=row.member_id,
        n=int(row.n), random_hex=row.random_hex, chosen=row.chosen, awarded=row.awarded,
        outcome=Outcome(row.outcome),
        stock_before=None if row.stock_before is None else int(row.stock_before),
        cost_points=int(row.cost_points), drawn_at=row.drawn_at,
    )  # fmt: skip


@dataclass(frozen=True)
class Counter:
    n: int  # this draw's number for the member
    today: int  # the member's draws today, this one included
    earned: int  # draws earned by purchases still unused


class LotteryRepository:
    def __init__(self, conn: Connection, alliance_id: str) -> None:
        self.conn = conn
        self.alliance_id = alliance_id

    def _insert(self) -> Any:
        return pg_insert if self.conn.dialect.name == "postgresql" else sqlite_insert

    # --- campaigns ---------------------------------------------------------------------------

    def add_campaign(self, values: dict[str, Any], prizes: tuple[Prize, ...]) -> None:
        self.conn.execute(lottery_campaigns.insert().values(alliance_id=self.alliance_id, **values))
        self.conn.execute(
            lottery_prizes.insert(),
            [
                {"alliance_id": self.alliance_id, "campaign_id": values["id"], "prize_id": p.id,
                 "stock": p.stock, "won": 0}
                for p in prizes
            ],
        )  # fmt: skip

    def _campaign_row(self, campaign_id: str) -> Any:
        return self.conn.execute(
            select(lottery_campaigns).where(
                lottery_campaigns.c.alliance_id == self.alliance_id, lottery_campaigns.c.id == campaign_id
            )
        ).first()

    def campaign(self, campaign_id: str) -> LotteryCampaign | None:
        row = self._campaign_row(campaign_id)
        return None if row is None else campaign_of(row)

    def sealed_seed(self, campaign_id: str) -> str:
        return str(self._campaign_row(campaign_id).sealed_seed)

    def campaigns(self) -> list[LotteryCampaign]:
        rows = self.conn.execute(
            select(lottery_campaigns)
            .where(lottery_campaigns.c.alliance_id == self.alliance_id)
            .order_by(lottery_campaigns.c.starts_at.desc())
        )
        return [campaign_of(r) for r in rows]

    def reveal(self, campaign_id: str, seed_hex: str, now: datetime) -> None:
        self.conn.execute(
            update(lottery_campaigns)
            .where(
                lottery_campaigns.c.alliance_id == self.alliance_id,
                lottery_campaigns.c.id == campaign_id,
                lottery_campaigns.c.revealed_seed.is_(None),
            )
            .values(revealed_seed=seed_hex, revealed_at=now)
        )

    def take_budget(self, campaign_id: str, points: int) -> bool:
        c = lottery_campaigns.c
        done = self.conn.execute(
            update(lottery_campaigns)
            .where(
                c.alliance_id == self.alliance_id,
                c.id == campaign_id,
                (c.budget_points.is_(None)) | (c.spent_points + points <= c.budget_points),
            )
            .values(spent_points=c.spent_points + points)
        )
        return done.rowcount == 1

    # --- prizes ------------------------------------------------------------------------------

    def take_prize(self, campaign_id: str, prize_id: str) -> int:
        """Take one of a limited prize: the stock before (0 when none was left). One conditional UPDATE."""
        p = lottery_prizes.c
        left = self.conn.execute(
            update(lottery_prizes)
            .where(
                p.alliance_id == self.alliance_id, p.campaign_id == campaign_id, p.prize_id == prize_id,
                p.stock > 0,
            )
            .values(stock=p.stock - 1, won=p.won + 1)
            .returning(p.stock)
        ).scalar()  # fmt: skip
        return 0 if left is None else int(left) + 1

    def give_back_prize(self, campaign_id: str, prize_id: str) -> None:
        p = lottery_prizes.c
        self.conn.execute(
            update(lottery_prizes)
            .where(p.alliance_id == self.alliance_id, p.campaign_id == campaign_id, p.prize_id == prize_id)
            .values(stock=p.stock + 1, won=p.won - 1)
        )

    def count_win(self, campaign_id: str, prize_id: str) -> None:
        p = lottery_prizes.c
        self.conn.execute(
            update(lottery_prizes)
            .where(p.alliance_id == self.alliance_id, p.campaign_id == campaign_id, p.prize_id == prize_id)
            .values(won=p.won + 1)
        )

    def stock(self, campaign_id: str) -> dict[str, tuple[int | None, int]]:
        p = lottery_prizes.c
        rows = self.conn.execute(
            select(p.prize_id, p.stock, p.won).where(
                p.alliance_id == self.alliance_id, p.campaign_id == campaign_id
            )
        )
        return {r.prize_id: (r.stock, int(r.won)) for r in rows}

    # --- counters ------------------------------------------------------------------------------

    def count_draw(self, campaign_id: str, member_id: str, today: date) -> Counter:
        """Add one to the member's draws (an upsert under the row's lock): this draw's number."""
        e = lottery_entries.c
        day = today.isoformat()
        stmt = self._insert()(lottery_entries).values(
            alliance_id=self.alliance_id, campaign_id=campaign_id, member_id=member_id, draws=1, day=day,
            draws_today=1, earned=0,
        )  # fmt: skip
        stmt = stmt.on_conflict_do_update(
            index_elements=["alliance_id", "campaign_id", "member_id"],
            set_={
                "draws": e.draws + 1,
                "draws_today": case((e.day == day, e.draws_today + 1), else_=1),
                "day": day,
            },
        ).returning(e.draws, e.draws_today, e.earned)
        row = self.conn.execute(stmt).one()
        return Counter(int(row.draws), int(row.draws_today), int(row.earned))

    def use_earned(self, campaign_id: str, member_id: str) -> bool:
        e = lottery_entries.c
        done = self.conn.execute(
            update(lottery_entries)
            .where(
                e.alliance_id == self.alliance_id, e.campaign_id == campaign_id, e.member_id == member_id,
                e.earned > 0,
            )
            .values(earned=e.earned - 1)
        )  # fmt: skip
        return done.rowcount == 1

    def earn(self, campaign_id: str, member_id: str, draws: int, today: date) -> None:
        e = lottery_entries.c
        stmt = self._insert()(lottery_entries).values(
            alliance_id=self.alliance_id, campaign_id=campaign_id, member_id=member_id, draws=0,
            day=today.isoformat(), draws_today=0, earned=draws,
        )  # fmt: skip
        self.conn.execute(
            stmt.on_conflict_do_update(
                index_elements=["alliance_id", "campaign_id", "member_id"], set_={"earned": e.earned + draws}
            )
        )

    def entry(self, campaign_id: str, member_id: str) -> Any:
        e = lottery_entries.c
        return self.conn.execute(
            select(lottery_entries).where(
                e.alliance_id == self.alliance_id, e.campaign_id == campaign_id, e.member_id == member_id
            )
        ).first()

    # --- draws -------------------------------------------------------------------------------

    def add_draw(
        self, record: DrawRecord, *, signature: str, entry_id: str | None, issued: str | None = None
    ) -> None:
        self.conn.execute(
            lottery_draws.insert().values(
                alliance_id=self.alliance_id, id=record.id, campaign_id=record.campaign_id,
                member_id=record.member_id, n=record.n, random_hex=record.random_hex, chosen=record.chosen,
                awarded=record.awarded, outcome=record.outcome.value, stock_before=record.stock_before,
                cost_points=record.cost_points, drawn_at=record.drawn_at, signature=signature,
                entry_id=entry_id, issued=issued,
            )
        )  # fmt: skip

    def draws(self, campaign_id: str, member_id: str | None = None) -> list[tuple[DrawRecord, str]]:
        d = lottery_draws.c
        stmt = select(lottery_draws).where(d.alliance_id == self.alliance_id, d.campaign_id == campaign_id)
        if member_id is not None:
            stmt = stmt.where(d.member_id == member_id)
        rows = self.conn.execute(stmt.order_by(d.drawn_at, d.member_id, d.n))
        return [(record_of(r), r.signature) for r in rows]

    def issued_by_draw(self, campaign_id: str, member_id: str) -> dict[str, str]:
        """The member's draws in a campaign that became a coupon or a mall order: draw id -> its id."""
        d = lottery_draws.c
        rows = self.conn.execute(
            select(d.id, d.issued).where(
                d.alliance_id == self.alliance_id, d.campaign_id == campaign_id, d.member_id == member_id,
                d.issued.is_not(None),
            )
        )  # fmt: skip
        return {r.id: r.issued for r in rows}

    def member_draws(self, member_id: str) -> list[DrawRecord]:
        d = lottery_draws.c
        rows = self.conn.execute(
            select(lottery_draws)
            .where(d.alliance_id == self.alliance_id, d.member_id == member_id)
            .order_by(d.drawn_at.desc(), d.n.desc())
        )
        return [record_of(r) for r in rows]
