"""Manual adjustments by an alliance operator (admin or finance), with a reason, audited.

A grant is an award from ``platform:grants``; a take-back a spend to it (never below the
member's available points). Idempotent on the caller's key; the audit record is written in
the same transaction, once.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from guildcard.counter import access
from guildcard.counter.commands import AdjustmentInput, Written
from guildcard.counter.domain.errors import InvalidAdjustment, ReasonRequired
from guildcard.kernel.actors import Actor
from guildcard.ledger import chart

MIN_REASON_CHARS = 4
MAX_ADJUSTMENT = 10_000_000
KIND = "adjustment"


def adjust(service: Any, actor: Actor, request: AdjustmentInput, *, idempotency_key: str) -> Written:
    access.require_adjuster(actor)
    reason = request.reason.strip()
    if len(reason) < MIN_REASON_CHARS:
        raise ReasonRequired(field="reason", min_length=MIN_REASON_CHARS)
    if request.points == 0 or abs(request.points) > MAX_ADJUSTMENT:
        raise InvalidAdjustment(field="points", max_abs=MAX_ADJUSTMENT)
    member = service.ports.members.get(actor.alliance_id, request.member_id)

    def work(conn: Connection) -> Written:
        ledger = service.ledger(conn, actor.alliance_id)
        key, amount = f"adjust:{idempotency_key}", abs(request.points)
        reference = f"adjustment:{reason}"[:160]
        if request.points > 0:
            result = ledger.award(
                member_id=member.member_id, issuer=chart.PLATFORM_GRANTS, amount=amount,
                idempotency_key=key, kind=KIND, reference=reference,
            )  # fmt: skip
        else:
            result = ledger.spend(
                member_id=member.member_id, at=chart.PLATFORM_GRANTS, amount=amount,
                idempotency_key=key, kind=KIND, reference=reference,
            )  # fmt: skip
        receipt = {
            "entry_id": result.entry_id, "member_id": member.member_id, "points": request.points,
            "reason": reason, "actor_id": actor.id,
        }  # fmt: skip
        if not result.replayed:
            service.ports.audit.record(
                conn, actor=actor, action="counter.adjust_points",
                subject=f"member:{member.member_id}", details=receipt, at=service.clock.now(),
            )  # fmt: skip
        return Written(receipt, replayed=result.replayed)

    result: Written = service.write(work)
    return result
