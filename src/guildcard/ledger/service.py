"""The ledger's write API on a connection the caller owns: it never commits.

``Ledger(connection, alliance_id=..., clock=...)`` lets the counter spend points, award
points, add growth and record a purchase in ONE transaction; settlement posts FEN entries
in its own. Every command takes an idempotency key (unique per alliance and scope): a replay
returns the first result with ``replayed=True``; the same key with another request raises
``IdempotencyConflict``. ``LedgerService`` (``standalone.py``) wraps each call in its own
unit of work for the CLI, jobs and tests.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from guildcard.db.batch import WriteBatch
from guildcard.kernel.clock import Clock, ensure_utc
from guildcard.kernel.errors import IdempotencyConflict
from guildcard.kernel.fingerprint import fingerprint
from guildcard.kernel.ids import new_id
from guildcard.ledger.domain import entries as chart
from guildcard.ledger.domain.entries import (
    EntryHeader,
    Kind,
    Posting,
    Unit,
    parse_account,
    positive,
    transfer,
)
from guildcard.ledger.domain.errors import (
    HoldNotActive,
    HoldNotFound,
    InsufficientPoints,
    InvalidAccount,
    NegativeLimitExceeded,
)
from guildcard.ledger.domain.lots import Draw, Lot, LotState, consumption_order, plan_draws, plan_restores
from guildcard.ledger.domain.policy import ExpiryPolicy, LedgerSettings
from guildcard.ledger.domain.results import EntryResult
from guildcard.ledger.settings_store import load_settings
from guildcard.ledger.storage.store import LedgerStore
from guildcard.ledger.storage.tables import entries as entries_table
from guildcard.ledger.storage.tables import lots as lots_table
from guildcard.ledger.storage.tables import postings as postings_table

DEFAULT_HOLD_TTL = timedelta(minutes=30)


class Ledger:
    def __init__(
        self,
        connection: Connection,
        *,
        alliance_id: str,
        clock: Clock,
        settings: LedgerSettings | None = None,
        settings_source: Callable[[], LedgerSettings] | None = None,
        known_accounts: set[str] | frozenset[str] = frozenset(),
        defer_postings: bool = False,
        defer_claims: bool = False,
        writes: WriteBatch | None = None,
    ) -> None:
        """``known_accounts``: shared accounts known to be registered already (skips re-registering).

        ``settings_source``: where the settings come from when an operation first needs them (a
        spend never does), e.g. a versioned cache; without it they are read from the database.

        ``defer_postings``: keep the postings of every entry until ``flush()``, then write them all
        (and register their accounts) in one statement each; the command bus flushes before commit.

        ``defer_claims``: for a command whose idempotency keys are fresh by construction (derived
        from an id it just claimed): keep the entries' headers until ``flush_claims()`` (or
        ``flush()``) and insert them in one statement. A key found taken then is a conflict, never
        a replay.

        ``writes``: the command's write batch. On PostgreSQL the deferred postings join it; with
        ``defer_claims`` too, the headers,
        the member balances (one upsert: the net change of each account), the lots, the lot draw
        and the postings then join it and reach the database in the command's last statement; a
        balance locked with ``lock_points`` is checked here, in Python, under its row lock.
        """
        self.conn = connection
        self.alliance_id = alliance_id
        self.clock = clock
        self.store = LedgerStore(connection, alliance_id)
        self._settings = settings
        self._settings_source = settings_source or (lambda: load_settings(connection, alliance_id))
        self._known_accounts = known_accounts
        self.registered_accounts: set[str] = (
            set()
        )  # registered by this ledger (a caller may cache after commit)
        self._deferred: list[Any] | None = [] if defer_postings else None
        self._claims: list[dict[str, Any]] | None = [] if defer_claims else None
        # PostgreSQL: the postings (and their accounts) join the batch; with fresh keys, everything.
        self._tail = writes if defer_postings and writes is not None and writes.deferred else None
        self._writes = self._tail if defer_claims else None
        self._held: dict[str, int] = {}  # balances locked by this ledger, with its changes so far
        self._deltas: dict[tuple[str, str], int] = {}  # (code, unit) -> change not yet written

    @property
    def settings(self) -> LedgerSettings:
        if self._settings is None:
            self._settings = self._settings_source()
        return self._settings

    # --- awards ----------------------------------------------------------------------------

    def award(
        self,
        *,
        member_id: str,
        issuer: str,
        amount: int,
        idempotency_key: str,
        available_at: datetime | None = None,
        expiry: ExpiryPolicy | None = None,
        kind: str = Kind.AWARD,
        reference: str | None = None,
        occurred_at: datetime | None = None,
    ) -> EntryResult:
        """Award points from ``issuer`` (``merchant:{id}:issued`` or ``platform:grants``) as a lot.

        With ``available_at`` in the future the points are pending until released.
        A member in debt repays it first: the lot starts with the debt already taken out.
        """
        positive(amount)
        require_source(issuer)
        now = self.clock.now()
        occurred = ensure_utc(occurred_at) if occurred_at else now
        pending = available_at is not None and ensure_utc(available_at) > now
        request = {
            "member": member_id, "issuer": issuer, "amount": amount, "kind": kind, "reference": reference,
            "available_at": available_at, "expiry": expiry, "occurred_at": occurred_at,
        }  # fmt: skip
        header = self._header(
            Kind.AWARD_PENDING if pending else kind, member_id, issuer, amount, reference, occurred
        )
        replay = self._claim(header, "award", idempotency_key, request)
        if replay:
            return replay
        policy = expiry or self.settings.expiry
        target = chart.member_pending(member_id) if pending else chart.member_points(member_id)
        entry = header.with_postings(transfer(issuer, target, Unit.POINT, amount))
        new_balance = self._credit(target, Unit.POINT, amount, now, need_balance=not pending)
        repaid = 0 if pending else min(amount, max(0, amount - new_balance))
        lot = Lot(
            id=new_id("lot"),
            member_id=member_id,
            issuer=issuer,
            amount=amount,
            remaining=amount - repaid,
            available_at=ensure_utc(available_at) if pending and available_at else occurred,
            expires_at=policy.expires_at(occurred),
            state=LotState.PENDING if pending else LotState.ACTIVE,
        )
        self._add_lot(lot, entry.id)
        if repaid:
            self.store.record_consumptions(
                entry.id, member_id, [(lot.id, chart.member_points(member_id), repaid)]
            )
        self._append(entry)
        return EntryResult(entry.id, entry.kind, amount, lot_id=lot.id, debt_repaid=repaid)

    # --- spends and holds -------------------------------------------------------------------

    def spend(
        self,
        *,
        member_id: str,
        at: str,
        amount: int,
        idempotency_key: str,
        kind: str = Kind.SPEND,
        reference: str | None = None,
        occurred_at: datetime | None = None,
    ) -> EntryResult:
        """Spend points at ``at`` (``merchant:{id}:redeemed`` or ``platform:mall``), soonest expiry first."""
        positive(amount)
        require_source(at)
        request = {"member": member_id, "at": at, "amount": amount, "kind": kind, "reference": reference}
        header = self._header(kind, member_id, at, amount, reference, occurred_at)
        replay = self._claim(header, "spend", idempotency_key, request | {"occurred_at": occurred_at})
        if replay:
            return replay
        self._draw(header.id, member_id, amount, at)
        self._append(header.with_postings(transfer(chart.member_points(member_id), at, Unit.POINT, amount)))
        return EntryResult(header.id, kind, amount)

    def hold(
        self,
        *,
        member_id: str,
        at: str,
        amount: int,
        idempotency_key: str,
        ttl: timedelta = DEFAULT_HOLD_TTL,
        reference: str | None = None,
    ) -> EntryResult:
        """Reserve points for a later spend at ``at``; commit or void it; it voids itself after ``ttl``."""
        positive(amount)
        require_source(at)
        request = {"member": member_id, "at": at, "amount": amount, "reference": reference, "ttl": ttl}
        header = self._header(Kind.HOLD, member_id, at, amount, reference, None)
        replay = self._claim(header, "hold", idempotency_key, request)
        if replay:
            return replay
        self._draw(header.id, member_id, amount, at)
        held = chart.member_held(member_id)
        self.store.credit(held, Unit.POINT, amount, header.recorded_at)
        hold_id = new_id("hold")
        self.store.add_hold(
            id=hold_id,
            member_id=member_id,
            target=at,
            amount=amount,
            state="active",
            expires_at=header.recorded_at + ttl,
            hold_entry_id=header.id,
        )
        self._append(header.with_postings(transfer(chart.member_points(member_id), held, Unit.POINT, amount)))
        return EntryResult(header.id, Kind.HOLD, amount, hold_id=hold_id)

    def commit_hold(self, hold_id: str, *, idempotency_key: str, reference: str | None = None) -> EntryResult:
        hold = self._hold(hold_id)
        header = self._header(
            Kind.HOLD_COMMIT, hold.member_id, hold.target, int(hold.amount), reference, None
        )
        replay = self._claim(
            header, "commit_hold", idempotency_key, {"hold": hold_id, "reference": reference}
        )
        if replay:
            return replay
        closed = self.store.close_hold(
            hold_id, state="committed", entry_id=header.id, active_after=header.recorded_at
        )
        if closed is None:
            raise HoldNotActive(hold_id=hold_id)
        held = chart.member_held(hold.member_id)
        self.store.debit(held, Unit.POINT, int(hold.amount), floor=0, now=header.recorded_at)
        self._append(header.with_postings(transfer(held, hold.target, Unit.POINT, int(hold.amount))))
        return EntryResult(header.id, Kind.HOLD_COMMIT, int(hold.amount), hold_id=hold_id)

    def void_hold(self, hold_id: str, *, idempotency_key: str, reference: str | None = None) -> EntryResult:
        """Give the held points back to the lots they came from (expired portions go to breakage)."""
        hold = self._hold(hold_id)
        amount = int(hold.amount)
        header = self._header(Kind.HOLD_VOID, hold.member_id, hold.target, amount, reference, None)
        replay = self._claim(header, "void_hold", idempotency_key, {"hold": hold_id, "reference": reference})
        if replay:
            return replay
        if self.store.close_hold(hold_id, state="voided", entry_id=header.id, active_after=None) is None:
            raise HoldNotActive(hold_id=hold_id)
        held = chart.member_held(hold.member_id)
        self.store.debit(held, Unit.POINT, amount, floor=0, now=header.recorded_at)
        live, expired = self.restore(header.id, hold.member_id, [hold.hold_entry_id], hold.target, amount)
        self._append(header.with_postings(self.restore_postings(held, hold.member_id, live, expired)))
        return EntryResult(header.id, Kind.HOLD_VOID, amount, hold_id=hold_id, to_breakage=expired)

    # --- growth and free-form entries -------------------------------------------------------

    def grant_growth(
        self,
        *,
        member_id: str,
        amount: int,
        idempotency_key: str,
        source: str = chart.PLATFORM_GROWTH,
        reference: str | None = None,
        occurred_at: datetime | None = None,
    ) -> EntryResult:
        positive(amount)
        require_source(source)
        request = {"member": member_id, "amount": amount, "source": source, "reference": reference}
        header = self._header(Kind.GROWTH, member_id, source, amount, reference, occurred_at)
        replay = self._claim(header, "growth", idempotency_key, request)
        if replay:
            return replay
        account = chart.member_growth(member_id)
        self._credit(account, Unit.GROWTH, amount, header.recorded_at, need_balance=False)
        self._append(header.with_postings(transfer(source, account, Unit.GROWTH, amount)))
        return EntryResult(header.id, Kind.GROWTH, amount)

    def post(
        self,
        *,
        kind: str,
        postings: list[Posting] | tuple[Posting, ...],
        idempotency_key: str,
        reference: str | None = None,
        member_id: str | None = None,
        occurred_at: datetime | None = None,
    ) -> EntryResult:
        """Any balanced entry (e.g. FEN settlement). Member point accounts move only through lots."""
        lines = tuple(postings)
        for p in lines:
            ref = parse_account(p.account)
            if ref.is_member and ref.name in chart.LOT_SUFFIXES:
                raise InvalidAccount(
                    "member point accounts move only by award, spend and holds", account=p.account
                )
        header = self._header(kind, member_id, None, None, reference, occurred_at)
        entry = header.with_postings(lines)  # refuses an unbalanced entry before anything is written
        request = {
            "kind": kind,
            "postings": [(p.account, p.unit, p.amount) for p in lines],
            "reference": reference,
        }
        replay = self._claim(header, "post", idempotency_key, request | {"member": member_id})
        if replay:
            return replay
        self.apply_member_postings(lines)
        self._append(entry)
        return EntryResult(entry.id, kind, None)

    # --- building blocks shared with reversals and jobs ----------------------------------------

    def apply_member_postings(self, lines: tuple[Posting, ...]) -> None:
        """Move the cached balance of each member account in ``lines`` (never below zero)."""
        for p in lines:
            if not parse_account(p.account).is_member:
                continue
            now = self.clock.now()
            if p.amount >= 0:
                self.store.credit(p.account, p.unit, p.amount, now)
            elif self.store.debit(p.account, p.unit, -p.amount, floor=0, now=now) is None:
                raise NegativeLimitExceeded(account=p.account, amount=p.amount)

    def lock_points(self, member_id: str) -> int | None:
        """Lock the member's points row (until the transaction ends) and return its balance.

        While batching, this ledger then checks and nets that balance's changes itself."""
        points = chart.member_points(member_id)
        balance = self.store.lock_balance(points)
        if self._writes is not None:
            self._held[points] = balance or 0
        return balance

    def _credit(self, code: str, unit: Unit, amount: int, now: datetime, *, need_balance: bool) -> int:
        """Add to a member account: at once, or (batching) as a delta when nothing needs the result
        or the balance is held. The new balance (0 when not needed and unknown)."""
        if self._writes is None or (need_balance and code not in self._held):
            return self.store.credit(code, unit, amount, now)
        self._deltas[(code, unit.value)] = self._deltas.get((code, unit.value), 0) + amount
        if code in self._held:
            self._held[code] += amount
            return self._held[code]
        return 0

    def _add_lot(self, lot: Lot, entry_id: str) -> None:
        if self._writes is None:
            self.store.add_lot(lot, entry_id)
        else:
            self._writes.insert(lots_table, [self.store.lot_row(lot, entry_id)])

    def _draw(self, entry_id: str, member_id: str, amount: int, target: str) -> None:
        points = chart.member_points(member_id)
        if self._writes is not None and points in self._held:
            self._draw_in_batch(self._writes, entry_id, member_id, amount, target)
            return
        if self.store.debit(points, Unit.POINT, amount, floor=0, now=self.clock.now()) is None:
            raise InsufficientPoints(needed=amount, available=max(self.store.balance(points) or 0, 0))
        drawn = self.store.draw_lots(entry_id, member_id, amount, target)
        if drawn is not None:
            if drawn != amount:  # the lots hold less than the balance said: refuse, as plan_draws does
                raise InsufficientPoints(needed=amount, available=drawn)
            return
        draws = plan_draws(self.store.member_lots(member_id, state=LotState.ACTIVE), amount)
        self.store.change_lots([(d.lot_id, d.amount) for d in draws])
        self.store.record_consumptions(entry_id, member_id, [(d.lot_id, target, d.amount) for d in draws])

    def _draw_in_batch(
        self, writes: WriteBatch, entry_id: str, member_id: str, amount: int, target: str
    ) -> None:
        """The held balance is checked here; the lots are drawn by the batch's statement, which
        refuses (rolls back) when they hold less than the balance said."""
        points = chart.member_points(member_id)
        if self._held[points] - amount < 0:
            raise InsufficientPoints(needed=amount, available=max(self._held[points], 0))
        self._held[points] -= amount
        self._deltas[(points, Unit.POINT.value)] = self._deltas.get((points, Unit.POINT.value), 0) - amount

        def drawn_all(drawn: int) -> None:
            if drawn != amount:
                raise InsufficientPoints(needed=amount, available=drawn)

        self.store.draw_lots_into(writes, entry_id, member_id, amount, target, check=drawn_all)

    def restore(
        self, entry_id: str, member_id: str, drawn_by: list[str], target: str, amount: int
    ) -> tuple[int, int]:
        """Give ``amount`` back to the lots ``drawn_by`` drew toward ``target``: (live, expired).

        Lots already past their expiry send their share to breakage; a member in debt repays it first.
        """
        points = chart.member_points(member_id)
        self.store.hold_row(points)
        net = self.store.net_drawn(drawn_by, target)
        lots = self.store.lots_by_id(net)
        ordered = sorted((lots[lot_id] for lot_id in net), key=consumption_order)
        restores = plan_restores([Draw(lot.id, net[lot.id]) for lot in ordered], amount)
        now = self.clock.now()
        rows: list[tuple[str, str, int]] = []
        live: list[Draw] = []
        expired = 0
        for r in restores:
            rows.append((r.lot_id, target, -r.amount))
            lot_expires = lots[r.lot_id].expires_at
            if lot_expires is not None and lot_expires <= now:
                rows.append((r.lot_id, chart.PLATFORM_BREAKAGE, r.amount))
                expired += r.amount
            else:
                live.append(r)
        live_total = amount - expired
        if live_total:
            repaid = min(
                live_total, max(0, live_total - self.store.credit(points, Unit.POINT, live_total, now))
            )
            changes = []
            for r in live:
                to_debt = min(repaid, r.amount)
                repaid -= to_debt
                if to_debt:
                    rows.append((r.lot_id, points, to_debt))
                changes.append((r.lot_id, -(r.amount - to_debt)))
            self.store.change_lots(changes)
        self.store.record_consumptions(entry_id, member_id, rows)
        return live_total, expired

    def restore_postings(self, source: str, member_id: str, live: int, expired: int) -> tuple[Posting, ...]:
        lines = [Posting(source, Unit.POINT, -(live + expired))]
        if live:
            lines.append(Posting(chart.member_points(member_id), Unit.POINT, live))
        if expired:
            lines.append(Posting(chart.PLATFORM_BREAKAGE, Unit.POINT, expired))
        return tuple(lines)

    def _header(  # noqa: PLR0917 - internal builder, called positionally in one module
        self,
        kind: str,
        member_id: str | None,
        counterparty: str | None,
        amount: int | None,
        reference: str | None,
        occurred_at: datetime | None,
        reverses: str | None = None,
    ) -> EntryHeader:
        now = self.clock.now()
        return EntryHeader(
            id=new_id("ent"),
            alliance_id=self.alliance_id,
            kind=str(kind),
            occurred_at=ensure_utc(occurred_at) if occurred_at else now,
            recorded_at=now,
            reference=reference,
            reverses=reverses,
            member_id=member_id,
            counterparty=counterparty,
            amount=amount,
        )

    def _claim(
        self, header: EntryHeader, scope: str, key: str, request: dict[str, Any]
    ) -> EntryResult | None:
        """Claim (scope, key) by inserting the header; on a replay return the first result."""
        digest = fingerprint({"scope": scope, **request})
        if self._claims is not None:
            self._claims.append(self.store.claim_params(header, scope, key, digest))
            return None
        if self.store.claim_entry(header, scope=scope, key=key, fingerprint=digest):
            return None
        row = self.store.entry_by_key(scope, key)
        if row.fingerprint != digest:
            raise IdempotencyConflict(scope=f"ledger.{scope}", key=key)
        return self.result_of(row, replayed=True)

    def result_of(self, row: Any, *, replayed: bool) -> EntryResult:
        lot = self.store.lot_of_entry(row.id) if row.scope == "award" else None
        hold = None
        if row.scope in {"hold", "commit_hold", "void_hold"}:
            column = "hold_entry_id" if row.scope == "hold" else "closing_entry_id"
            hold = self.store.hold_by_entry(column, row.id)
        member_points = chart.member_points(row.member_id) if row.member_id else ""
        return EntryResult(
            entry_id=row.id,
            kind=row.kind,
            amount=None if row.amount is None else int(row.amount),
            replayed=replayed,
            lot_id=lot.id if lot else None,
            hold_id=hold.id if hold else None,
            debt_repaid=self.store.consumed_by(row.id, member_points) if lot else 0,
            to_breakage=self.store.consumed_by(row.id, chart.PLATFORM_BREAKAGE),
        )

    def _append(self, entry: Any) -> None:
        if self._deferred is not None:
            self._deferred.append(entry)
            return
        self.register_accounts([entry])
        self.store.add_postings(entry)

    def flush_claims(self) -> None:
        """Insert the deferred entry headers in one statement (before anything reads them).

        While batching: everything kept so far is written now (one statement)."""
        if self._writes is not None:
            self.flush()
            self._writes.flush()
            return
        if self._claims:
            claims, self._claims = self._claims, []
            if len(self.store.claim_many(claims)) != len(claims):
                taken = claims[0]
                raise IdempotencyConflict(scope=f"ledger.{taken['scope']}", key=str(taken["idem_key"]))

    def flush(self) -> None:
        """Write the deferred headers, then the postings: their accounts first, then one insert."""
        if self._writes is not None:
            self._flush_into(self._writes)
            return
        self.flush_claims()
        if self._deferred:
            entries, self._deferred = self._deferred, []
            if self._tail is not None:
                self._postings_into(self._tail, entries)
                return
            self.register_accounts(entries)
            self.store.add_postings_many(entries)

    def _flush_into(self, writes: WriteBatch) -> None:
        """Headers, net balance changes, shared accounts and postings, into the batch."""
        claims, self._claims = self._claims or [], []
        if claims:

            def all_new(count: int) -> None:
                if count != len(claims):
                    raise IdempotencyConflict(
                        scope=f"ledger.{claims[0]['scope']}", key=str(claims[0]["idem_key"])
                    )

            writes.insert(entries_table, claims, suffix="ON CONFLICT DO NOTHING RETURNING id", count=all_new)
        deltas, self._deltas = self._deltas, {}
        self.store.credit_into(writes, deltas, self.clock.now())
        built, self._deferred = self._deferred or [], []
        if built:
            self._postings_into(writes, built)

    def _postings_into(self, writes: WriteBatch, built: list[Any]) -> None:
        new = self._unregistered(built)
        if new:
            self.store.ensure_codes_into(writes, new, built[0].recorded_at)
            self.registered_accounts.update(new)
        writes.insert(postings_table, self.store.posting_rows(built))

    def register_accounts(self, built: list[Any]) -> None:
        """Register the shared accounts these entries touch, unless known already."""
        new = self._unregistered(built)
        if new:
            self.store.ensure_codes(new, built[0].recorded_at)
            self.registered_accounts.update(new)

    def _unregistered(self, built: list[Any]) -> dict[str, str]:
        return {
            p.account: p.unit.value
            for entry in built
            for p in entry.postings
            if not p.account.startswith("member:")
            and p.account not in self._known_accounts
            and p.account not in self.registered_accounts
        }

    def _hold(self, hold_id: str) -> Any:
        hold = self.store.hold(hold_id)
        if hold is None:
            raise HoldNotFound(hold_id=hold_id)
        return hold


def require_source(code: str) -> None:
    """Points come from and go to merchant or platform accounts, never another member's."""
    try:
        ref = parse_account(code)
    except ValueError as exc:
        raise InvalidAccount(account=code) from exc
    if ref.is_member:
        raise InvalidAccount("expected a merchant or platform account", account=code)
