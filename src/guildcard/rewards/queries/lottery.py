"""Lottery reads: campaigns, a member's draws and prizes, and the verification anyone can run."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, select

from guildcard.ledger.keys import signature_holds
from guildcard.rewards.domain.lottery import (
    DrawRecord,
    check_draw,
    check_stock_trail,
    commitment,
    record_message,
    table_hash,
)
from guildcard.rewards.domain.lottery_errors import LotteryNotFound
from guildcard.rewards.storage.lottery_repository import LotteryCampaign, LotteryRepository
from guildcard.rewards.storage.lottery_tables import lottery_campaigns


@dataclass(frozen=True)
class Verification:
    campaign_id: str
    commitment: str
    seed: str | None  # None: not revealed yet (signatures and stock are still checked)
    draws: int
    problems: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (draw id or "campaign", what)

    @property
    def holds(self) -> bool:
        return not self.problems


class LotteryQueries:
    def __init__(self, conn: Connection, alliance_id: str) -> None:
        self.repo = LotteryRepository(conn, alliance_id)

    def campaign(self, campaign_id: str) -> LotteryCampaign:
        campaign = self.repo.campaign(campaign_id)
        if campaign is None:
            raise LotteryNotFound(campaign_id=campaign_id)
        return campaign

    def campaigns(self) -> list[LotteryCampaign]:
        return self.repo.campaigns()

    def open_campaigns(self, now: datetime) -> list[LotteryCampaign]:
        return [c for c in self.repo.campaigns() if c.starts_at <= now < c.ends_at]

    def stock(self, campaign_id: str) -> dict[str, tuple[int | None, int]]:
        return self.repo.stock(campaign_id)

    def draws(self, campaign_id: str, member_id: str | None = None) -> list[DrawRecord]:
        return [record for record, _ in self.repo.draws(campaign_id, member_id)]

    def issued(self, campaign_id: str, member_id: str) -> dict[str, str]:
        """The coupon or mall order each of the member's won coupon / mall-item prizes became, by draw id."""
        return self.repo.issued_by_draw(campaign_id, member_id)

    def member_draws(self, member_id: str) -> list[DrawRecord]:
        return self.repo.member_draws(member_id)

    def entry(self, campaign_id: str, member_id: str) -> tuple[int, int, int]:
        """(draws in all, draws today, earned draws left) for the member."""
        row = self.repo.entry(campaign_id, member_id)
        return (0, 0, 0) if row is None else (int(row.draws), int(row.draws_today), int(row.earned))

    def verify(self, campaign_id: str) -> Verification:
        campaign = self.campaign(campaign_id)
        problems: list[tuple[str, str]] = []
        prizes = campaign.prizes
        if table_hash(prizes) != campaign.table_hash:
            problems.append(("campaign", "the prize table does not match its published hash"))
        seed = campaign.revealed_seed
        if seed is not None and commitment(campaign.id, seed, campaign.table_hash) != campaign.commitment:
            problems.append(("campaign", "the revealed seed does not match the commitment"))
        records = self.repo.draws(campaign_id)
        numbers: dict[str, list[int]] = {}
        for record, signature in records:
            if not signature_holds(campaign.public_key, record_message(record), signature):
                problems.append((record.id, "the signature does not hold: the record was altered"))
            if seed is not None:
                problems += [(record.id, p) for p in check_draw(record, prizes, seed_hex=seed)]
            numbers.setdefault(record.member_id, []).append(record.n)
        for member_id, ns in numbers.items():
            if sorted(ns) != list(range(1, len(ns) + 1)):
                problems.append(("campaign", f"the draws of {member_id} are not numbered 1..{len(ns)}"))
        problems += [("campaign", p) for p in check_stock_trail([r for r, _ in records], prizes)]
        return Verification(campaign.id, campaign.commitment, seed, len(records), tuple(problems))


def campaign_alliance(conn: Connection, campaign_id: str) -> str | None:
    """Which alliance a campaign belongs to (ids are unique across alliances): for the CLI."""
    value: str | None = conn.execute(
        select(lottery_campaigns.c.alliance_id).where(lottery_campaigns.c.id == campaign_id)
    ).scalar()
    return value
