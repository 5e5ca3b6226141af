"""The tier commands (operators' design and manual floors, the evaluation job), on the loyalty group.

Every change of a member's tier is logged with its reason and emitted as
``loyalty.tier_changed``; a new design bumps the alliance's ``loyalty`` version.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.clock import ensure_utc
from guildcard.ledger import Ledger
from guildcard.ledger.handlers import LedgerAccess
from guildcard.loyalty import tier_codec
from guildcard.loyalty.domain.errors import TiersNotAllowed
from guildcard.loyalty.domain.tiers import TierChange, TierScheme
from guildcard.loyalty.handlers import LoyaltyCommand, handlers
from guildcard.loyalty.storage.tiers import TierRepository
from guildcard.loyalty.tiering import Tiering
from guildcard.pipeline import Work, versions
from guildcard.privacy.cipher import LookupHasher


@dataclass
class LoyaltyDeps:
    """What loyalty commands need besides their connection: the ledger (gifts, stored value) and
    the keyed hash that stored-value top-up codes are kept as (``topup_code_handlers``)."""

    ledger: LedgerAccess = field(default_factory=LedgerAccess)
    lookup: LookupHasher | None = None


def ledger_for(work: Work) -> Ledger:
    """The command's ledger; a bus without loyalty deps gets one that knows no accounts yet."""
    access = work.deps.ledger if isinstance(work.deps, LoyaltyDeps) else LedgerAccess()
    return access.for_command(work)


_SCHEME_CODEC: dict[str, Any] = {
    "remember": tier_codec.scheme_to_dict,
    "replay": lambda stored, _work: tier_codec.scheme_from_dict(stored),
}
_CHANGE_CODEC: dict[str, Any] = {
    "remember": tier_codec.change_to_dict,
    "replay": lambda stored, _work: tier_codec.change_from_dict(stored),
}


def _operator(actor: Actor, _command: Any) -> None:
    if not (actor.is_operator() or actor.kind is ActorKind.SYSTEM):
        raise TiersNotAllowed()


@dataclass(frozen=True, kw_only=True)
class DesignTiers(LoyaltyCommand):
    """Replace the alliance's tiers and rules (``scheme`` as ``tier_codec`` reads it)."""

    scope = "loyalty.design_tiers"
    scheme: Mapping[str, Any]


@dataclass(frozen=True, kw_only=True)
class SetTierFloor(LoyaltyCommand):
    scope = "loyalty.set_tier_floor"
    member_id: str
    tier: str
    ends_at: datetime
    reason: str


@dataclass(frozen=True, kw_only=True)
class ReevaluateMember(LoyaltyCommand):
    scope = "loyalty.reevaluate_member"
    member_id: str
    as_of: date | None = None


@dataclass(frozen=True, kw_only=True)
class EvaluateTiers(LoyaltyCommand):
    """The period-end evaluation of every member at the end of ``as_of``; its key makes it once."""

    scope = "loyalty.evaluate_tiers"
    as_of: date


@dataclass(frozen=True)
class EvaluationResult:
    as_of: date
    upgrades: int
    downgrades: int
    changes: tuple[TierChange, ...]


def tiering(work: Work) -> Tiering:
    return Tiering(
        work.connection, work.alliance_id, work.now, actor_id=work.actor.id, ledger=ledger_for(work)
    )


def announce(work: Work, change: TierChange | None) -> None:
    if change is not None:
        work.emit(
            "loyalty.tier_changed", change.member_id, from_tier=change.from_tier, to_tier=change.to_tier,
            reason=change.reason.value, reference=change.reference,
        )  # fmt: skip


@handlers.register(authorize=_operator, **_SCHEME_CODEC)
def design_tiers(command: DesignTiers, work: Work) -> TierScheme:
    scheme = tier_codec.scheme_from_dict(command.scheme)
    repo = TierRepository(work.connection, work.alliance_id)
    repo.scheme(for_update=True)
    repo.save_scheme(scheme, actor_id=work.actor.id, now=work.now)
    stored = tier_codec.scheme_to_dict(scheme)
    work.audit("loyalty.design_tiers", object_type="tier_scheme", object_id=work.alliance_id, details=stored)
    work.emit("loyalty.tiers_designed", work.alliance_id, tiers=[t.code for t in scheme.tiers])
    versions.bump(work.connection, work.alliance_id, versions.Topic.LOYALTY)
    return scheme


@handlers.register(authorize=_operator, **_CHANGE_CODEC)
def set_tier_floor(command: SetTierFloor, work: Work) -> TierChange | None:
    """A floor until ``ends_at``: the member has at least ``tier`` till then, whatever growth says."""
    change = tiering(work).set_floor(
        command.member_id, tier=command.tier, ends_at=ensure_utc(command.ends_at), reason=command.reason
    )
    work.audit(
        "loyalty.set_tier_floor", object_type="member", object_id=command.member_id,
        details={"tier": command.tier, "ends_at": ensure_utc(command.ends_at).isoformat(),
                 "reason": command.reason},
    )  # fmt: skip
    announce(work, change)
    return change


@handlers.register(authorize=_operator, **_CHANGE_CODEC)
def reevaluate_member(command: ReevaluateMember, work: Work) -> TierChange | None:
    change = tiering(work).reevaluate(command.member_id, as_of=command.as_of)
    announce(work, change)
    return change


@handlers.register(authorize=_operator)
def evaluate_tiers(command: EvaluateTiers, work: Work) -> EvaluationResult:
    t = tiering(work)
    changes = t.evaluate_all(command.as_of)
    ups = sum(1 for c in changes if t.scheme.rank_of(c.to_tier) > t.scheme.rank_of(c.from_tier))
    for change in changes:
        announce(work, change)
    return EvaluationResult(command.as_of, ups, len(changes) - ups, tuple(changes))
