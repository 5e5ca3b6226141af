"""What the mall, check-in and lottery handlers find in ``work.deps`` (wired in ``bootstrap``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Connection

from guildcard.ledger.keys import KeyStore
from guildcard.privacy.cipher import FieldCipher
from guildcard.rewards.handlers.coupons import CouponDeps

# A member's tier code (None: no tier yet). The loyalty tiers adapter replaces the default.
TierOf = Callable[[Connection, str, str], str | None]


def no_tier(_conn: Connection, _alliance_id: str, _member_id: str) -> str | None:
    return None


@dataclass(frozen=True)
class RewardsDeps:
    cipher: FieldCipher  # delivery addresses
    keys: KeyStore  # opens the alliance's signing key (lottery draw records)
    tier_of: TierOf = no_tier
    # The coupons' own dependencies (``handlers.coupons.coupon_deps`` finds them here).
    coupons: CouponDeps = field(default_factory=CouponDeps)
