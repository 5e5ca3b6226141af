"""The counter's handler group, its dependencies, and the steps its handlers share.

Every step takes the connection of the command (or of a preview's read): the store and its
merchant are one read, the member code is checked (and used up) in the same transaction,
and the ledger's settings come from a cache that is current for the alliance's version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from guildcard.counter import access
from guildcard.counter.commands import MemberIdentity
from guildcard.counter.domain.errors import MemberRequired
from guildcard.counter.handlers.terms_cache import TermsCopy, merchants_for, terms_cache
from guildcard.counter.ports import CounterPorts, MemberRef, MerchantDirectory, StoreRef
from guildcard.db.batch import WriteBatch
from guildcard.kernel.actors import Actor
from guildcard.ledger.handlers import LedgerAccess
from guildcard.loyalty import queries as loyalty_queries
from guildcard.loyalty.queries import LoyaltyConfig
from guildcard.pipeline import Handlers
from guildcard.pipeline.versions import Topic, VersionedCache

handlers = Handlers("counter")


@dataclass(frozen=True)
class CounterDeps:
    ports: CounterPorts
    # The ledger's settings (reloaded whenever an operator changes them) and known accounts.
    ledger: LedgerAccess = field(default_factory=LedgerAccess)
    # Loyalty settings, rules and campaigns, reloaded whenever one of them changes.
    loyalty: VersionedCache[LoyaltyConfig] = field(
        default_factory=lambda: VersionedCache(Topic.LOYALTY, loyalty_queries.config)
    )

    # Stores and contract terms, re-read whenever one of them changes (the "terms" version).
    terms: VersionedCache[TermsCopy] = field(default_factory=terms_cache)

    # Merchants with an issuance limit: only their awards pay for the limit check.
    limited: VersionedCache[frozenset[str]] = field(init=False)

    def __post_init__(self) -> None:
        limited = VersionedCache(Topic.SETTLEMENT, self.ports.issuance.limited_merchants)
        object.__setattr__(self, "limited", limited)

    def is_limited(self, conn: Connection, alliance_id: str, merchant_id: str, memo: dict[str, Any]) -> bool:
        return merchant_id in self.limited.get(conn, alliance_id, memo)

    def merchants(self, memo: dict[str, Any] | None) -> MerchantDirectory:
        """The merchant directory for a command (``memo``: its memo) or a read (None: uncached)."""
        return merchants_for(self.ports.merchants, self.terms, memo)


def store_for(
    conn: Connection, deps: CounterDeps, actor: Actor, store_id: str, memo: dict[str, Any] | None = None
) -> StoreRef:
    """The store, if ``actor`` may work its counter (refunds and reads: suspended merchants too)."""
    store = deps.merchants(memo).store(conn, actor.alliance_id, store_id)
    access.check_store(actor, store)
    return store


def open_store(
    conn: Connection, deps: CounterDeps, actor: Actor, store_id: str, memo: dict[str, Any] | None = None
) -> StoreRef:
    """The store, if ``actor`` may record purchases there now (its merchant is not suspended)."""
    store = store_for(conn, deps, actor, store_id, memo)
    deps.ports.merchants.require_active(store)
    return store


def resolve_member(
    conn: Connection,
    deps: CounterDeps,
    alliance_id: str,
    who: MemberIdentity,
    *,
    merchant_id: str,
    now: datetime,
    use_code: bool,
    writes: WriteBatch | None = None,
) -> MemberRef:
    """The member behind a code or a consented phone; ``use_code`` spends the code in ``conn``
    (``writes``: as a part of the command's write batch, checked when it is written)."""
    if bool(who.member_code) == bool(who.phone):
        raise MemberRequired(field="member_code")
    members = deps.ports.members
    if who.member_code:
        if use_code and writes is not None:
            return members.redeem_member_code(
                conn, alliance_id, who.member_code, now, merchant_id=merchant_id, writes=writes
            )
        take = members.redeem_member_code if use_code else members.peek_member_code
        return take(conn, alliance_id, who.member_code, now, merchant_id=merchant_id)
    assert who.phone is not None
    return members.lookup_by_phone_for_counter(conn, alliance_id, who.phone, merchant_id=merchant_id)
