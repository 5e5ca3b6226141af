"""Apply the tier rules on the caller's connection, inside the caller's command.

Used by the loyalty handlers (design, manual floors, evaluation) and by the counter's TierDesk
adapter (upgrade at once inside the purchase's transaction, refunds). Each change is saved,
logged with its reason, and an upgrade gift pack is given the first time a tier is reached.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Connection

from guildcard.kernel.clock import end_of_business_day
from guildcard.ledger import Ledger
from guildcard.loyalty.domain import tiers as rules
from guildcard.loyalty.domain.tiers import GrowthBasis, MemberTier, TierChange, TierReason, TierScheme
from guildcard.loyalty.storage.tiers import TierRepository

GIFT_SOURCE = "platform:marketing"  # the alliance funds upgrade gifts


def scheme_of(conn: Connection, alliance_id: str) -> TierScheme:
    """The alliance's tier design; one base tier (普通会员) until an operator designs some."""
    return TierRepository(conn, alliance_id).scheme() or TierScheme()


@dataclass(frozen=True)
class Growth:
    """A member's growth as the rules count it, and in the retention window."""

    counted: int
    window: int
    window_starts: datetime
    until: datetime


def window(scheme: TierScheme, until: datetime) -> datetime:
    return until - timedelta(days=scheme.rules.window_days)


def growth_of(
    repo: TierRepository, scheme: TierScheme, member_id: str, until: datetime, *, leave_out: str | None = None
) -> Growth:
    """Growth that occurred before ``until`` (exclusive: pass ``just_after(now)`` for "until now")."""
    starts = window(scheme, until)
    in_window = repo.growth(member_id, since=starts, until=until, leave_out=leave_out)
    if scheme.rules.basis is GrowthBasis.ROLLING:
        return Growth(in_window, in_window, starts, until)
    lifetime = repo.growth(member_id, since=None, until=until, leave_out=leave_out)
    return Growth(lifetime, in_window, starts, until)


def just_after(moment: datetime) -> datetime:
    """The exclusive bound that includes ``moment`` itself."""
    return moment + timedelta(microseconds=1)


class Tiering:
    """Tier operations for one alliance on one connection, at ``now``.

    ``ledger`` (the command's) gives upgrade gift points; without it, gifts wait (none given).
    """

    def __init__(
        self,
        conn: Connection,
        alliance_id: str,
        now: datetime,
        *,
        actor_id: str,
        ledger: Ledger | None = None,
        scheme: TierScheme | None = None,  # the caller's, read in the same transaction
    ) -> None:
        self.repo = TierRepository(conn, alliance_id)
        self.alliance_id = alliance_id
        self.now = now
        self.actor_id = actor_id
        self.ledger = ledger
        self._scheme: TierScheme | None = scheme

    @property
    def scheme(self) -> TierScheme:
        if self._scheme is None:
            self._scheme = self.repo.scheme() or TierScheme()
        return self._scheme

    def held(self, member_id: str, *, lock: bool = True) -> MemberTier:
        found = self.repo.held(member_id, for_update=lock)
        return found or rules.starting(member_id, self.scheme, self.now)

    def after_purchase(self, member_id: str, *, purchase_id: str, growth: int) -> TierChange | None:
        """Upgrade at once: the member's growth without this purchase, plus ``growth`` from it."""
        if len(self.scheme.tiers) == 1 or growth <= 0:
            return None
        held = self.held(member_id)
        counted = growth_of(
            self.repo, self.scheme, member_id, just_after(self.now), leave_out=purchase_id
        ).counted
        after, change = rules.after_purchase(
            self.scheme, held, growth=counted + growth, purchase_id=purchase_id, at=self.now
        )
        return self._apply(held, after, change)

    def after_refund(self, member_id: str, *, purchase_id: str, growth_standing: int) -> TierChange | None:
        """``growth_standing``: what remains of the purchase's growth after this refund."""
        if len(self.scheme.tiers) == 1:
            return None
        held = self.held(member_id)
        counted = growth_of(
            self.repo, self.scheme, member_id, just_after(self.now), leave_out=purchase_id
        ).counted
        after, change = rules.after_refund(
            self.scheme, held, growth=counted + growth_standing, purchase_id=purchase_id, at=self.now
        )
        return self._apply(held, after, change)

    def reevaluate(self, member_id: str, *, as_of: date | None = None) -> TierChange | None:
        """Evaluate one member now (or at the end of ``as_of``), as the period-end job would."""
        at = self.now if as_of is None else end_of_business_day(as_of)
        held = self.held(member_id)
        growth = growth_of(self.repo, self.scheme, member_id, just_after(at) if as_of is None else at)
        after, change = rules.evaluate(
            self.scheme, held, growth=growth.counted, window_growth=growth.window, at=at
        )
        return self._apply(held, after, change)

    def set_floor(self, member_id: str, *, tier: str, ends_at: datetime, reason: str) -> TierChange | None:
        held = self.held(member_id)
        after, change = rules.set_floor(
            self.scheme, held, tier=tier, ends_at=ends_at, reason=reason, at=self.now
        )
        return self._apply(held, after, change)

    def grant_card(
        self, member_id: str, *, tier: str | None, ends_at: datetime, reference: str
    ) -> TierChange | None:
        held = self.held(member_id)
        after, change = rules.grant_card(
            self.scheme, held, tier=tier, ends_at=ends_at, reference=reference, at=self.now
        )
        return self._apply(held, after, change)

    def after_merge(
        self, member_id: str, held: MemberTier, *, reason: TierReason, reference: str
    ) -> TierChange | None:
        """The survivor of a merge (or of its undo) holds ``held``'s claims, raised to what its growth
        earns now. No upgrade gift: one of the two was given each tier's gift already, or will be."""
        before = self.held(member_id)
        counted = growth_of(self.repo, self.scheme, member_id, just_after(self.now)).counted
        after, change = rules.after_merge(
            self.scheme, before, held, growth=counted, at=self.now, reason=reason, reference=reference
        )
        if after != before:
            self.repo.save([after], now=self.now)
        if change is not None:
            self.repo.log([change], actor_id=self.actor_id, at=self.now)
        return change

    def evaluate_all(self, as_of: date) -> list[TierChange]:
        """Every member with growth or a tier, at the end of ``as_of``: a fixed number of statements
        (growth grouped by member, the tiers held, one upsert, one log insert)."""
        scheme, at = self.scheme, end_of_business_day(as_of)
        starts = window(scheme, at)
        in_window = self.repo.growth_by_member(since=starts, until=at)
        lifetime = (
            in_window
            if scheme.rules.basis is GrowthBasis.ROLLING
            else self.repo.growth_by_member(since=None, until=at)
        )
        held = {h.member_id: h for h in self.repo.all_held()}
        members = sorted(set(held) | {m for m, g in lifetime.items() if g > 0})
        saved: list[MemberTier] = []
        changes: list[TierChange] = []
        for member_id in members:
            before = held.get(member_id) or rules.starting(member_id, scheme, at)
            after, change = rules.evaluate(
                scheme,
                before,
                growth=lifetime.get(member_id, 0),
                window_growth=in_window.get(member_id, 0),
                at=at,
            )
            if after != before:
                saved.append(after)
            if change is not None:
                changes.append(change)
        self.repo.save(saved, now=self.now)
        self.repo.log(changes, actor_id=self.actor_id, at=self.now)
        for change in changes:
            self._gift(change)
        return changes

    def _apply(self, before: MemberTier, after: MemberTier, change: TierChange | None) -> TierChange | None:
        if after != before:
            self.repo.save([after], now=self.now)
        if change is not None:
            self.repo.log([change], actor_id=self.actor_id, at=self.now)
            self._gift(change)
        return change

    def _gift(self, change: TierChange) -> None:
        """The upgrade gift of every tier newly reached up to the new one, once per tier ever."""
        if self.ledger is None:
            return
        reached = self.scheme.get(change.to_tier)
        if reached is None or reached.rank <= self.scheme.rank_of(change.from_tier):
            return
        for tier in self.scheme.tiers:
            if (
                not (self.scheme.rank_of(change.from_tier) < tier.rank <= reached.rank)
                or tier.gift_points <= 0
            ):
                continue
            if self.repo.claim_gift(change.member_id, tier.code, tier.gift_points, now=self.now):
                entry = self.ledger.award(
                    member_id=change.member_id, issuer=GIFT_SOURCE, amount=tier.gift_points,
                    idempotency_key=f"tier-gift:{change.member_id}:{tier.code}",
                    reference=f"tier:{tier.code}",
                )  # fmt: skip
                self.repo.gift_entry(change.member_id, tier.code, entry.entry_id)
