"""Campaign budgets: what a budgeted campaign has left, taken in the purchase's transaction.

A campaign's ``budget_points`` (its configuration, cached with the rest of the loyalty
configuration) bounds the extra points it gives in all; what it gave so far is one row in
``loyalty_campaign_budgets``, kept apart from the cached campaign row because every purchase
under the campaign writes it.

The counter's commit reads ``left(..., lock=True)`` before it evaluates the earn: on
PostgreSQL the row stays locked until the purchase commits, so concurrent purchases under
the same budget queue for it and each sees what the previous one left (SQLite writers are
serialized anyway). ``consume`` then adds the campaign's points with a conditional UPDATE
that can never pass the budget. A preview reads without a lock. All on the caller's connection.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, update

from guildcard.loyalty.domain import Campaign
from guildcard.loyalty.domain.errors import CampaignBudgetSpent
from guildcard.loyalty.storage.tables import loyalty_campaign_budgets as budgets_t


@dataclass(frozen=True, slots=True)
class BudgetUse:
    """What a budgeted campaign gave so far (the operator's live view)."""

    campaign_id: str
    budget_points: int
    used_points: int
    purchases: int

    @property
    def left_points(self) -> int:
        return max(self.budget_points - self.used_points, 0)


def open_budget(conn: Connection, alliance_id: str, campaign: Campaign) -> None:
    """Give a budgeted campaign its row (at creation, or when an update adds a budget)."""
    if campaign.budget_points is None:
        return
    found = conn.execute(
        select(budgets_t.c.campaign_id).where(
            budgets_t.c.alliance_id == alliance_id, budgets_t.c.campaign_id == campaign.campaign_id
        )
    ).first()
    if found is None:
        conn.execute(
            insert(budgets_t).values(
                alliance_id=alliance_id, campaign_id=campaign.campaign_id, used_points=0, purchases=0
            )
        )


def left(conn: Connection, alliance_id: str, campaigns: Iterable[Campaign], *, lock: bool) -> dict[str, int]:
    """Points left in each budgeted campaign among ``campaigns`` (locked for a commit)."""
    budgeted = _budgeted(campaigns)
    if not budgeted:
        return {}
    query = (
        select(budgets_t.c.campaign_id, budgets_t.c.used_points)
        .where(budgets_t.c.alliance_id == alliance_id, budgets_t.c.campaign_id.in_(sorted(budgeted)))
        .order_by(budgets_t.c.campaign_id)  # one lock order: two purchases never deadlock
    )
    used = {
        row.campaign_id: int(row.used_points)
        for row in conn.execute(query.with_for_update() if lock else query)
    }
    return {cid: max(budget - used.get(cid, budget), 0) for cid, budget in budgeted.items()}


def consume(conn: Connection, alliance_id: str, campaign: Campaign, points: int) -> None:
    """Add ``points`` to what the campaign gave; refused (nothing written) past its budget."""
    if campaign.budget_points is None or points <= 0:
        return
    taken = conn.execute(
        update(budgets_t)
        .where(
            budgets_t.c.alliance_id == alliance_id,
            budgets_t.c.campaign_id == campaign.campaign_id,
            budgets_t.c.used_points + points <= campaign.budget_points,
        )
        .values(used_points=budgets_t.c.used_points + points, purchases=budgets_t.c.purchases + 1)
    ).rowcount
    if taken != 1:
        raise CampaignBudgetSpent(campaign_id=campaign.campaign_id)


def usage(conn: Connection, alliance_id: str, campaigns: Iterable[Campaign]) -> dict[str, BudgetUse]:
    """The budgeted campaigns' consumption, by campaign id."""
    budgeted = _budgeted(campaigns)
    if not budgeted:
        return {}
    rows = conn.execute(
        select(budgets_t).where(
            budgets_t.c.alliance_id == alliance_id, budgets_t.c.campaign_id.in_(sorted(budgeted))
        )
    )
    found = {row.campaign_id: row for row in rows}
    return {
        cid: BudgetUse(
            cid,
            budget,
            int(found[cid].used_points) if cid in found else 0,
            int(found[cid].purchases) if cid in found else 0,
        )
        for cid, budget in budgeted.items()
    }


def _budgeted(campaigns: Iterable[Campaign]) -> dict[str, int]:
    """The campaigns that have a budget: id -> budget points."""
    return {c.campaign_id: c.budget_points for c in campaigns if c.budget_points is not None}
