"""The settlement context's write commands and their handlers, run by the command bus (see pipeline/).

Operators set the breakage mode and issuance limits, and close periods. Each command writes
an audit line naming its actor and an event (ids and figures only); a limit change bumps
the alliance's ``settlement`` configuration version, which the counter's limit check follows.

Closing a period is idempotent by nature (no key): a period closes once, and closing it again
returns the first result. Periods close in time order: closing one while an earlier period with
activity is still open is refused (``settlement.earlier_period_open``, see scope.py). In one
transaction it takes a ledger checkpoint that covers the
period, prices every uncovered entry that occurred before the period's end, posts one FEN entry
per merchant (ledger idempotency key ``settle:{period}:{merchant}``), stores the statements,
and takes a second checkpoint so the settlement entries themselves can be proven at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from guildcard.kernel.actors import Actor
from guildcard.kernel.clock import Clock
from guildcard.kernel.errors import InvalidInput
from guildcard.kernel.permissions import Perm
from guildcard.ledger import Ledger, Posting, Unit
from guildcard.ledger.checkpoints import make_checkpoint
from guildcard.ledger.keys import KeyStore
from guildcard.ledger.queries.settlement import latest_checkpoint
from guildcard.pipeline import Command, Handlers, Work, versions
from guildcard.settlement import access, scope
from guildcard.settlement.domain import chart
from guildcard.settlement.domain.errors import (
    EarlierPeriodOpen,
    MerchantNotFound,
    PeriodNotOver,
    PortsMissing,
)
from guildcard.settlement.domain.periods import Period, PeriodKind, parse_period
from guildcard.settlement.domain.statement import Line, figures_of, postings
from guildcard.settlement.domain.terms import BreakageMode, LimitMode, MerchantRef
from guildcard.settlement.ports import MemberSalesSource, TermsProvider
from guildcard.settlement.statements import CloseResult, closed, closed_statements, priced_by_merchant
from guildcard.settlement.storage.repository import Limit, Run, SettlementRepository, StoredStatement

handlers = Handlers("settlement")


@dataclass(frozen=True)
class SettlementDeps:
    """What closing a period needs (``work.deps``): contract terms, member sales, signing keys."""

    terms: TermsProvider
    sales: MemberSalesSource
    keys: KeyStore
    clock: Clock


def _operator(actor: Actor, _command: Any) -> None:
    access.require_operator(actor)


@dataclass(frozen=True, kw_only=True)
class SetBreakageMode(Command):
    scope = "settlement.breakage"
    permission = Perm.SETTLEMENT_CONFIGURE
    mode: BreakageMode


@dataclass(frozen=True, kw_only=True)
class SetLimit(Command):
    scope = "settlement.limit"
    permission = Perm.SETTLEMENT_CONFIGURE
    merchant_id: str
    limit_points: int
    period_kind: PeriodKind
    mode: LimitMode


@dataclass(frozen=True, kw_only=True)
class ClosePeriod(Command):
    scope = "settlement.close"
    permission = Perm.SETTLEMENT_CLOSE
    period_key: str


@handlers.register(authorize=_operator)
def set_breakage_mode(command: SetBreakageMode, work: Work) -> BreakageMode:
    SettlementRepository(work.connection, work.alliance_id).set_breakage_mode(command.mode, work.now)
    work.audit(
        "settlement.set_breakage_mode", object_type="settlement_settings", object_id=work.alliance_id,
        details={"breakage_mode": command.mode.value},
    )  # fmt: skip
    work.emit("settlement.breakage_mode_set", work.alliance_id, breakage_mode=command.mode.value)
    return command.mode


@handlers.register(authorize=_operator)
def set_limit(command: SetLimit, work: Work) -> Limit:
    points = command.limit_points
    if isinstance(points, bool) or not isinstance(points, int) or points < 0:
        raise InvalidInput("a limit is a whole number of points >= 0", field="limit_points")
    deps: SettlementDeps | None = work.deps
    if deps is None:
        raise PortsMissing()
    if all(m.id != command.merchant_id for m in deps.terms.merchants(work.connection, work.alliance_id)):
        raise MerchantNotFound(merchant_id=command.merchant_id)
    limit = Limit(command.merchant_id, command.period_kind, points, command.mode)
    SettlementRepository(work.connection, work.alliance_id).set_limit(limit, work.now)
    values = {"limit_points": points, "period_kind": limit.period_kind.value, "mode": limit.mode.value}
    work.audit(
        "settlement.set_limit", object_type="issuance_limit", object_id=limit.merchant_id,
        merchant_id=limit.merchant_id, details=values,
    )  # fmt: skip
    work.emit("settlement.limit_set", limit.merchant_id, merchant_id=limit.merchant_id, **values)
    # The counter checks issuance limits on each purchase, against a cache of this version.
    versions.bump(work.connection, work.alliance_id, versions.Topic.SETTLEMENT)
    return limit


def _closed_before(command: ClosePeriod, work: Work) -> CloseResult | None:
    """The natural-key claim: a period closed already replays its first result."""
    repo = SettlementRepository(work.connection, work.alliance_id)
    run = repo.run(parse_period(command.period_key).key)
    if run is None:
        return None
    return CloseResult(
        run.period_key, closed_statements(repo, run.period_key, run), run.checkpoint_seq,
        run.checkpoint_root, replayed=True,
    )  # fmt: skip


@handlers.register(authorize=_operator, claim=_closed_before)
def close_period(command: ClosePeriod, work: Work) -> CloseResult:
    period = parse_period(command.period_key)
    if work.now < period.ends_at:
        raise PeriodNotOver(period=period.key, ends_at=period.ends_at.isoformat())
    deps: SettlementDeps = work.deps
    conn, alliance_id = work.connection, work.alliance_id
    # The checkpoint also takes the alliance's ledger lock: closes are serialized.
    make_checkpoint(conn, alliance_id=alliance_id, keys=deps.keys, now=work.now)
    # A close that committed after the claim's look (PostgreSQL) is seen now, under the lock.
    first = _closed_before(command, work)
    if first is not None:
        return first
    repo = SettlementRepository(conn, alliance_id)
    earlier = scope.earliest_open_period(repo, period, deps.sales, work.now)
    if earlier is not None:  # periods close in time order: see scope.py
        raise EarlierPeriodOpen(period=period.key, earlier=earlier)
    cp_seq, cp_root = latest_checkpoint(conn, alliance_id)
    mode = repo.breakage_mode()
    computed, computation = priced_by_merchant(
        conn, alliance_id=alliance_id, period=period,
        selection=scope.selection(repo, period, max_checkpoint=cp_seq),
        breakage=mode, terms=deps.terms, sales=deps.sales, now=work.now,
    )  # fmt: skip
    ledger = Ledger(conn, alliance_id=alliance_id, clock=deps.clock)
    stored = [_settle(ledger, period, m, lines, mode) for m, lines in computed]
    run = Run(
        period.key, repo.next_close_seq(), cp_seq, cp_root, mode, work.now, period.starts_at, period.ends_at
    )
    repo.add_run(period, run)
    for statement in stored:
        repo.add_statement(period.key, statement, work.now)
    repo.add_sales(period.key, [(s.id, s.merchant_id, s.amount) for s in computation.sales])
    repo.add_entry_fees(period.key, computation.entry_fees)
    make_checkpoint(conn, alliance_id=alliance_id, keys=deps.keys, now=work.now)
    nets = {s.merchant_id: s.figures.net for s in stored}
    work.audit(
        "settlement.close_period", object_type="settlement_period", object_id=period.key,
        details={"statements": len(stored), "checkpoint_seq": cp_seq},
    )  # fmt: skip
    work.emit(
        "settlement.period_closed", period.key, period=period.key, statements=len(stored),
        owed_by_merchants=sum(n for n in nets.values() if n > 0),
        owed_to_merchants=-sum(n for n in nets.values() if n < 0),
        net_by_merchant=nets,
    )  # fmt: skip
    return CloseResult(period.key, [closed(alliance_id, period.key, run, s) for s in stored], cp_seq, cp_root)


def _settle(
    ledger: Ledger, period: Period, merchant: MerchantRef, lines: tuple[Line, ...], mode: BreakageMode
) -> StoredStatement:
    lines_out = postings(merchant.id, lines, breakage=mode)
    entry_id = None
    if lines_out:
        entry_id = ledger.post(
            kind=chart.SETTLEMENT_KIND,
            postings=[Posting(account, Unit.FEN, amount) for account, amount in lines_out],
            idempotency_key=f"settle:{period.key}:{merchant.id}",
            reference=f"settlement:{period.key}:{merchant.id}",
            occurred_at=period.ends_at,
        ).entry_id
    return StoredStatement(merchant.id, merchant.name, figures_of(lines), lines, entry_id)
