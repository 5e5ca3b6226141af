"""Which activity a period's statement takes, and whether the period may close yet.

Periods close in time order. A statement of period P takes the activity that occurred in P,
plus the late activity of periods already **closed** (entries recorded after their period's
close, shown as corrections of it). Activity of an earlier period that is still open stays
in that period: it is neither previewed nor billed in P.

The closed periods are a prefix of time: the *horizon* is the end of the latest closed one.
Activity that occurred in ``[horizon, P.start)`` belongs to open periods before P. Closing P
while such activity exists is refused (``EarlierPeriodOpen``, naming the earliest open
period): close the earlier periods first. An earlier period without any activity does not
hold a close back.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from guildcard.ledger.queries import settlement as ledger
from guildcard.settlement.compute import LATE_SALES_LOOKBACK
from guildcard.settlement.domain.periods import Period, period_containing
from guildcard.settlement.ports import MemberSalesSource
from guildcard.settlement.storage import activity
from guildcard.settlement.storage.activity import Selection
from guildcard.settlement.storage.repository import Run, SettlementRepository
from guildcard.settlement.storage.tables import runs


def horizon(repo: SettlementRepository, closed_before: int | None = None) -> datetime | None:
    """The end of the latest closed period (among runs closed before ``closed_before``)."""
    stmt = select(func.max(runs.c.ends_at)).where(runs.c.alliance_id == repo.alliance_id)
    if closed_before is not None:
        stmt = stmt.where(runs.c.close_seq < closed_before)
    value = repo.conn.execute(stmt).scalar_one()
    return None if value is None else _aware(value)


def selection(
    repo: SettlementRepository, period: Period, *, run: Run | None = None, max_checkpoint: int | None = None
) -> Selection:
    """What period's statement covers: open (a preview), being closed, or closed (``run``)."""
    if run is not None:
        edge = horizon(repo, run.close_seq)
        return _skipping(
            Selection(
                repo.alliance_id, run.ends_at, max_checkpoint=run.checkpoint_seq, closed_before=run.close_seq
            ),
            edge,
            period,
        )
    return _skipping(
        Selection(repo.alliance_id, period.ends_at, max_checkpoint=max_checkpoint), horizon(repo), period
    )


def _skipping(sel: Selection, edge: datetime | None, period: Period) -> Selection:
    if edge is not None and edge >= period.starts_at:
        return sel
    return Selection(
        sel.alliance_id,
        sel.until,
        max_checkpoint=sel.max_checkpoint,
        closed_before=sel.closed_before,
        skip_from=edge,
        skip_until=period.starts_at,
    )


def earliest_open_period(
    repo: SettlementRepository, period: Period, sales: MemberSalesSource, now: datetime
) -> str | None:
    """The earliest open period before ``period`` that holds activity; None when there is none."""
    edge = horizon(repo)
    if edge is not None and edge >= period.starts_at:
        return None
    before = activity.window(Selection(repo.alliance_id, period.starts_at))
    if edge is not None:
        before = ledger.EntryWindow(
            before.alliance_id, before.until, exclude_kind=before.exclude_kind, covered=before.covered,
            skip_from=None, skip_until=edge,
        )  # fmt: skip
    moments = [ledger.earliest_occurrence(repo.conn, before)]
    since = edge if edge is not None else period.starts_at - LATE_SALES_LOOKBACK
    found = sales.member_sales(
        repo.conn, repo.alliance_id, occurred_from=since, occurred_until=period.starts_at, recorded_until=now
    )
    settled = repo.settled_sale_ids([s.id for s in found])
    moments += [s.occurred_at for s in found if s.id not in settled]
    known = [m for m in moments if m is not None]
    return period_containing(period.kind, min(known)).key if known else None


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
