"""Reward campaign repository. The budget moves by a conditional update; a reward is a unique row."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from guildcard.rewards.domain.campaigns import BirthdayRule, CampaignKind, RewardCampaign
from guildcard.rewards.storage.campaign_tables import (
    reward_campaign_grants,
    reward_campaign_members,
    reward_campaign_purchases,
    reward_campaigns,
)


def campaign_to_dict(c: RewardCampaign) -> dict[str, Any]:
    return {
        "campaign_id": c.campaign_id, "name": c.name, "kind": c.kind.value,
        "starts_at": c.starts_at.isoformat() if c.starts_at else None,
        "ends_at": c.ends_at.isoformat() if c.ends_at else None, "points": c.points,
        "coupon_template_id": c.coupon_template_id, "funding_merchant_id": c.funding_merchant_id,
        "budget_points": c.budget_points, "member_cap_points": c.member_cap_points,
        "threshold_fen": c.threshold_fen, "merchant_ids": sorted(c.merchant_ids),
        "stamps_needed": c.stamps_needed, "trades": sorted(c.trades), "birthday_rule": c.birthday_rule.value,
        "active": c.active, "given_points": c.given_points, "given_rewards": c.given_rewards,
    }  # fmt: skip


def campaign_from_dict(d: dict[str, Any]) -> RewardCampaign:
    def moment(value: Any) -> datetime | None:
        return datetime.fromisoformat(value) if isinstance(value, str) else value

    return RewardCampaign(
        campaign_id=d["campaign_id"], name=d["name"], kind=CampaignKind(d["kind"]),
        starts_at=moment(d["starts_at"]), ends_at=moment(d["ends_at"]), points=int(d["points"]),
        coupon_template_id=d["coupon_template_id"], funding_merchant_id=d["funding_merchant_id"],
        budget_points=d["budget_points"], member_cap_points=d["member_cap_points"],
        threshold_fen=int(d["threshold_fen"]), merchant_ids=frozenset(d["merchant_ids"]),
        stamps_needed=int(d["stamps_needed"]), trades=frozenset(d["trades"]),
        birthday_rule=BirthdayRule(d["birthday_rule"]), active=bool(d["active"]),
        given_points=int(d["given_points"]), given_rewards=int(d["given_rewards"]),
    )  # fmt: skip


def _insert(conn: Connection) -> Any:
    return pg_insert if conn.dialect.name == "postgresql" else sqlite_insert


class CampaignRepository:
    def __init__(self, connection: Connection) -> None:
        self.conn = connection

    def add(self, alliance_id: str, c: RewardCampaign, *, actor_id: str, now: datetime) -> None:
        values = campaign_to_dict(c) | {"starts_at": c.starts_at, "ends_at": c.ends_at}
        self.conn.execute(
            insert(reward_campaigns).values(
                alliance_id=alliance_id, created_at=now, created_by=actor_id, **values
            )
        )

    def get(self, alliance_id: str, campaign_id: str) -> RewardCampaign | None:
        t = reward_campaigns.c
        row = self.conn.execute(
            select(reward_campaigns).where(t.alliance_id == alliance_id, t.campaign_id == campaign_id)
        ).mappings().first()  # fmt: skip
        return campaign_from_dict(dict(row)) if row is not None else None

    def all(self, alliance_id: str, *, kinds: tuple[CampaignKind, ...] = ()) -> list[RewardCampaign]:
        t = reward_campaigns.c
        query = select(reward_campaigns).where(t.alliance_id == alliance_id)
        if kinds:
            query = query.where(t.kind.in_([k.value for k in kinds]))
        rows = self.conn.execute(query.order_by(t.campaign_id.desc())).mappings()
        return [campaign_from_dict(dict(r)) for r in rows]

    def end(self, alliance_id: str, campaign_id: str, now: datetime) -> None:
        t = reward_campaigns.c
        self.conn.execute(
            update(reward_campaigns)
            .where(t.alliance_id == alliance_id, t.campaign_id == campaign_id)
            .values(active=False, ends_at=now)
        )

    def consume_budget(self, alliance_id: str, c: RewardCampaign, points: int) -> bool:
        """Take ``points`` from the budget if they fit (never more than the budget, whoever races)."""
        t = reward_campaigns.c
        query = (
            update(reward_campaigns)
            .where(t.alliance_id == alliance_id, t.campaign_id == c.campaign_id)
            .where(t.budget_points.is_(None) | (t.given_points + points <= t.budget_points))
            .values(given_points=t.given_points + points, given_rewards=t.given_rewards + 1)
            .returning(t.given_points)
        )
        return self.conn.execute(query).first() is not None

    def count_reward(self, alliance_id: str, c: RewardCampaign) -> None:
        t = reward_campaigns.c
        self.conn.execute(
            update(reward_campaigns)
            .where(t.alliance_id == alliance_id, t.campaign_id == c.campaign_id)
            .values(given_rewards=t.given_rewards + 1)
        )

    # members' progress

    def lock_member(self, alliance_id: str, campaign_id: str, member_id: str, now: datetime) -> Any:
        """The member's progress row, created if new, under its row lock (PostgreSQL)."""
        m = reward_campaign_members
        self.conn.execute(
            _insert(self.conn)(m)
            .values(
                alliance_id=alliance_id,
                campaign_id=campaign_id,
                member_id=member_id,
                spent_fen=0,
                stamps=[],
                points_given=0,
                updated_at=now,
            )
            .on_conflict_do_nothing()
        )
        query = select(m).where(
            m.c.alliance_id == alliance_id, m.c.campaign_id == campaign_id, m.c.member_id == member_id
        )
        return self.conn.execute(query.with_for_update()).first()

    def save_member(
        self, alliance_id: str, campaign_id: str, member_id: str, *, spent_fen: int, stamps: list[list[str]],
        points_given: int, now: datetime,
    ) -> None:  # fmt: skip
        m = reward_campaign_members.c
        self.conn.execute(
            update(reward_campaign_members)
            .where(m.alliance_id == alliance_id, m.campaign_id == campaign_id, m.member_id == member_id)
            .values(spent_fen=spent_fen, stamps=stamps, points_given=points_given, updated_at=now)
        )

    def member_progress(self, alliance_id: str, member_id: str) -> dict[str, Any]:
        m = reward_campaign_members.c
        rows = self.conn.execute(
            select(reward_campaign_members).where(m.alliance_id == alliance_id, m.member_id == member_id)
        )
        return {r.campaign_id: r for r in rows}

    # purchases and rewards

    def count_purchase(self, alliance_id: str, purchase_id: str, now: datetime) -> bool:
        """True the first time a purchase is counted."""
        p = reward_campaign_purchases
        query = (
            _insert(self.conn)(p)
            .values(alliance_id=alliance_id, purchase_id=purchase_id, counted_at=now)
            .on_conflict_do_nothing()
            .returning(p.c.purchase_id)
        )
        return self.conn.execute(query).first() is not None

    def claim_grant(
        self, alliance_id: str, campaign_id: str, member_id: str, period: str, now: datetime
    ) -> bool:
        """True when this member's reward for the period is ours to give (first time)."""
        g = reward_campaign_grants
        query = (
            _insert(self.conn)(g)
            .values(
                alliance_id=alliance_id,
                campaign_id=campaign_id,
                member_id=member_id,
                period=period,
                points=0,
                budget_out=False,
                granted_at=now,
            )
            .on_conflict_do_nothing()
            .returning(g.c.period)
        )
        return self.conn.execute(query).first() is not None

    def finish_grant(
        self, alliance_id: str, campaign_id: str, member_id: str, period: str, *, points: int,
        entry_id: str | None, coupon_id: str | None, budget_out: bool,
    ) -> None:  # fmt: skip
        g = reward_campaign_grants.c
        self.conn.execute(
            update(reward_campaign_grants)
            .where(
                g.alliance_id == alliance_id,
                g.campaign_id == campaign_id,
                g.member_id == member_id,
                g.period == period,
            )
            .values(points=points, entry_id=entry_id, coupon_id=coupon_id, budget_out=budget_out)
        )

    def grants_of(self, alliance_id: str, member_id: str) -> list[Any]:
        g = reward_campaign_grants.c
        return list(
            self.conn.execute(
                select(reward_campaign_grants).where(g.alliance_id == alliance_id, g.member_id == member_id)
            )
        )

    def grant_counts(self, alliance_id: str) -> dict[str, int]:
        """Rewards given per campaign."""
        g = reward_campaign_grants.c
        rows = self.conn.execute(
            select(g.campaign_id, func.count()).where(g.alliance_id == alliance_id).group_by(g.campaign_id)
        )
        return {r[0]: int(r[1]) for r in rows}
