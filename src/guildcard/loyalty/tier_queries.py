"""What other contexts and pages read about tiers, on the caller's connection."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, case, func, select

from guildcard.counter import queries as counter_queries
from guildcard.ledger.queries.growth import growth_lines
from guildcard.loyalty.domain import tiers as rules
from guildcard.loyalty.domain.tiers import MemberTier, Progress, Tier, TierScheme
from guildcard.loyalty.storage.tiers import TierRepository
from guildcard.loyalty.tiering import Growth, growth_of, just_after, scheme_of

__all__ = [
    "TierStanding",
    "history",
    "members_in_tier",
    "preview_counts",
    "scheme_and_tier",
    "scheme_of",
    "standing",
    "tier_of",
]


@dataclass(frozen=True)
class TierStanding:
    """A member's tier, its benefits, the progress to the next one and retention."""

    tier: Tier
    held: MemberTier
    growth: Growth
    progress: Progress
    scheme: TierScheme


def tier_of(conn: Connection, alliance_id: str, member_id: str, *, at: datetime) -> Tier:
    """The tier in effect for the member at ``at`` (a floor or card that ended no longer counts)."""
    scheme = scheme_of(conn, alliance_id)
    if len(scheme.tiers) == 1:
        return scheme.base
    held = TierRepository(conn, alliance_id).held(member_id)
    if held is None:
        return scheme.base
    return scheme.get(rules.effective(scheme, held, at)) or scheme.base


def members_in_tier(
    conn: Connection, alliance_id: str, tier_code: str, *, everyone: Iterable[str], at: datetime
) -> list[str] | None:
    """Those of ``everyone`` whose tier in effect at ``at`` is ``tier_code`` (None: no such tier).

    One read of the design and of every member's tier row; a member without a row holds the base.
    """
    scheme = scheme_of(conn, alliance_id)
    if scheme.get(tier_code) is None:
        return None
    held = {h.member_id: h for h in TierRepository(conn, alliance_id).all_held()}
    base = scheme.base.code
    return [m for m in everyone if (rules.effective(scheme, held[m], at) if m in held else base) == tier_code]


def scheme_and_tier(
    conn: Connection, alliance_id: str, member_id: str, *, at: datetime
) -> tuple[TierScheme, Tier]:
    """The design and the member's tier in effect, in one statement."""
    found, held = TierRepository(conn, alliance_id).scheme_and_held(member_id)
    scheme = found or TierScheme()
    if held is None:
        return scheme, scheme.base
    return scheme, scheme.get(rules.effective(scheme, held, at)) or scheme.base


def standing(conn: Connection, alliance_id: str, member_id: str, *, at: datetime) -> TierStanding:
    scheme = scheme_of(conn, alliance_id)
    repo = TierRepository(conn, alliance_id)
    held = repo.held(member_id) or rules.starting(member_id, scheme, at)
    growth = growth_of(repo, scheme, member_id, just_after(at))
    shown = rules.effective(scheme, held, at)
    held = replace(held, tier=shown)
    progress = rules.progress(
        scheme, held, growth=growth.counted, window_growth=growth.window, window_ends=held.grace_until
    )
    return TierStanding(scheme.get(shown) or scheme.base, held, growth, progress, scheme)


def history(conn: Connection, alliance_id: str, member_id: str, *, limit: int = 50) -> list[dict[str, Any]]:
    return TierRepository(conn, alliance_id).history(member_id, limit=limit)


def change_count(conn: Connection, alliance_id: str) -> int:
    """How many tier changes the log holds."""
    return TierRepository(conn, alliance_id).count_log()


def members_by_tier(conn: Connection, alliance_id: str) -> dict[str, int]:
    """Members holding each tier above the base (members without a row are in the base tier)."""
    return TierRepository(conn, alliance_id).counts_by_tier()


def preview_counts(
    conn: Connection, alliance_id: str, scheme: TierScheme, *, at: datetime, members_total: int | None = None
) -> dict[str, int]:
    """How many members would land in each tier by growth alone with ``scheme`` at ``at``.

    One grouped query: each member's growth (lifetime or in the window) through a CASE of the
    thresholds. ``members_total`` (every member, from the members context) puts those with no
    growth in the base tier."""
    repo = TierRepository(conn, alliance_id)
    since = (
        None
        if scheme.rules.basis is rules.GrowthBasis.LIFETIME
        else at - timedelta(days=scheme.rules.window_days)
    )
    per_member = repo.growth_totals_query(since=since, until=just_after(at)).subquery()
    above_base = [t for t in reversed(scheme.tiers) if t.rank > scheme.base.rank]
    total = per_member.c.growth
    tier = (
        case(*((total >= t.threshold, t.code) for t in above_base), else_=scheme.base.code)
        if above_base
        else None
    )
    counts = {t.code: 0 for t in scheme.tiers}
    if tier is not None:
        query = select(tier.label("tier"), func.count()).select_from(per_member).group_by(tier)
        for code, n in conn.execute(query):
            counts[str(code)] += int(n)
    else:
        counts[scheme.base.code] = int(
            conn.execute(select(func.count()).select_from(per_member)).scalar_one()
        )
    if members_total is not None:
        counted = sum(counts.values())
        counts[scheme.base.code] += max(members_total - counted, 0)
    return counts


@dataclass(frozen=True)
class GrowthEntry:
    """A line of the member's growth list (成长值明细): business type, order, amount, time."""

    business: str  # purchase, refund or adjustment (a merge's transfer, an operator's posting)
    number: str | None  # the merchant's order number, or the refund number
    amount: int
    at: datetime


def growth_entries(
    conn: Connection, alliance_id: str, member_id: str, *, limit: int = 50
) -> list[GrowthEntry]:
    """The member's latest growth entries, each with the order or refund number it came from."""
    lines = growth_lines(conn, alliance_id, member_id, limit=limit)
    found = counter_queries.vouchers(conn, alliance_id, [x.reference for x in lines if x.reference])
    out = []
    for line in lines:
        voucher = found.get(line.reference or "")
        business = "adjustment" if voucher is None else ("refund" if voucher.is_refund else "purchase")
        out.append(GrowthEntry(business, voucher.number if voucher else None, line.amount, line.at))
    return out
