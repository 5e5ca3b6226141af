"""Manual adjustments by an alliance operator (admin or finance), with a reason, audited.

A grant is an award from ``platform:grants``; a take-back a spend to it (never below the
member's available points). Idempotent on the caller's key (the command bus claims it);
the audit line is written in the same transaction, once. The reason stays in the ledger
entry's reference; the audit line only says there was one.
"""

from __future__ import annotations

from dataclasses import dataclass

from guildcard.counter import access
from guildcard.counter.domain.errors import InvalidAdjustment, ReasonRequired
from guildcard.counter.domain.receipts import AdjustmentReceipt
from guildcard.counter.handlers.base import handlers
from guildcard.kernel.actors import Actor
from guildcard.ledger import chart
from guildcard.pipeline import Command, Work

MIN_REASON_CHARS = 4
MAX_ADJUSTMENT = 10_000_000
KIND = "adjustment"


@dataclass(frozen=True, kw_only=True)
class AdjustPoints(Command):
    scope = "counter.adjust"
    member_id: str
    points: int  # positive: grant; negative: take back
    reason: str


def _check(actor: Actor, command: AdjustPoints) -> None:
    access.require_adjuster(actor)
    if len(command.reason.strip()) < MIN_REASON_CHARS:
        raise ReasonRequired(field="reason", min_length=MIN_REASON_CHARS)
    if command.points == 0 or abs(command.points) > MAX_ADJUSTMENT:
        raise InvalidAdjustment(field="points", max_abs=MAX_ADJUSTMENT)


@handlers.register(authorize=_check)
def adjust_points(command: AdjustPoints, work: Work) -> AdjustmentReceipt:
    conn, reason = work.connection, command.reason.strip()
    member = work.deps.ports.members.get(conn, work.alliance_id, command.member_id)
    ledger = work.deps.ledger.for_command(work)
    key, amount = f"adjust:{command.idempotency_key}", abs(command.points)
    reference = f"adjustment:{reason}"[:160]
    if command.points > 0:
        result = ledger.award(
            member_id=member.member_id, issuer=chart.PLATFORM_GRANTS, amount=amount,
            idempotency_key=key, kind=KIND, reference=reference,
        )  # fmt: skip
    else:
        result = ledger.spend(
            member_id=member.member_id, at=chart.PLATFORM_GRANTS, amount=amount,
            idempotency_key=key, kind=KIND, reference=reference,
        )  # fmt: skip
    receipt = AdjustmentReceipt(result.entry_id, member.member_id, command.points, reason, work.actor.id)
    details = {"entry_id": result.entry_id, "member_id": member.member_id, "points": command.points}
    work.audit(
        "counter.adjust_points", object_type="member", object_id=member.member_id,
        details=details | {"actor_id": work.actor.id, "has_reason": True},
    )  # fmt: skip
    work.emit("counter.points_adjusted", result.entry_id, **details)
    return receipt
