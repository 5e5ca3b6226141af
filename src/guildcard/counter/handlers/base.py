"""The counter's handler group, its dependencies, and the steps its handlers share.

Every step takes the connection of the command (or of a preview's read): the store and its
merchant are one read, the member code is checked (and used up) in the same transaction,
and the ledger's settings come from a cache that is current for the alliance's version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from guildcard.counter import access
from guildcard.counter.commands import MemberIdentity
from guildcard.counter.domain.errors import MemberRequired
from guildcard.counter.ports import CounterPorts, MemberRef, StoreRef
from guildcard.kernel.actors import Actor
from guildcard.kernel.clock import FixedClock
from guildcard.ledger import Ledger
from guildcard.ledger.domain.policy import LedgerSettings
from guildcard.ledger.settings_store import load_settings
from guildcard.pipeline import Handlers
from guildcard.pipeline.versions import VersionedCache

handlers = Handlers("counter")

LEDGER_TOPIC = "ledger"


@dataclass(frozen=True)
class CounterDeps:
    ports: CounterPorts
    # Expiry and negative-balance policies: reloaded whenever an operator changes them.
    ledger_settings: VersionedCache[LedgerSettings]

    @classmethod
    def of(cls, ports: CounterPorts) -> CounterDeps:
        return cls(ports, VersionedCache(LEDGER_TOPIC, load_settings))

    def ledger(self, conn: Connection, alliance_id: str, now: datetime, memo: dict[str, object]) -> Ledger:
        settings = self.ledger_settings.get(conn, alliance_id, memo)
        return Ledger(conn, alliance_id=alliance_id, clock=FixedClock(now), settings=settings)


def store_for(conn: Connection, deps: CounterDeps, actor: Actor, store_id: str) -> StoreRef:
    """The store, if ``actor`` may work its counter (refunds and reads: suspended merchants too)."""
    store = deps.ports.merchants.store(conn, actor.alliance_id, store_id)
    access.check_store(actor, store)
    return store


def open_store(conn: Connection, deps: CounterDeps, actor: Actor, store_id: str) -> StoreRef:
    """The store, if ``actor`` may record purchases there now (its merchant is not suspended)."""
    store = store_for(conn, deps, actor, store_id)
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
) -> MemberRef:
    """The member behind a code or a consented phone; ``use_code`` spends the code in ``conn``."""
    if bool(who.member_code) == bool(who.phone):
        raise MemberRequired(field="member_code")
    members = deps.ports.members
    if who.member_code:
        take = members.redeem_member_code if use_code else members.peek_member_code
        return take(conn, alliance_id, who.member_code, now, merchant_id=merchant_id)
    assert who.phone is not None
    return members.lookup_by_phone_for_counter(conn, alliance_id, who.phone, merchant_id=merchant_id)
