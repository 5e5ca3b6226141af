"""Backfill (消费补录): recording a past purchase from its receipt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from guildcard.counter.domain.errors import BackfillInFuture, BackfillTooOld
from guildcard.kernel.clock import business_date


class BackfillStatus(StrEnum):
    APPROVED = "approved"  # recorded at once
    NEEDS_APPROVAL = "needs_approval"  # waits for the merchant owner


@dataclass(frozen=True)
class BackfillPolicy:
    window_days: int  # how far back a purchase may be backfilled, in business days
    approval_threshold_fen: int  # above this the owner must approve


def assess_backfill(
    policy: BackfillPolicy, *, purchased_at: datetime, now: datetime, amount_fen: int
) -> BackfillStatus:
    if purchased_at > now:
        raise BackfillInFuture(field="purchased_at")
    age_days = (business_date(now) - business_date(purchased_at)).days
    if age_days > policy.window_days:
        raise BackfillTooOld(window_days=policy.window_days, age_days=age_days)
    if amount_fen > policy.approval_threshold_fen:
        return BackfillStatus.NEEDS_APPROVAL
    return BackfillStatus.APPROVED
