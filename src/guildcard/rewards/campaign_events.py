"""After-commit listener: other contexts' events that reward campaigns and referrals act on.

``members.member_registered`` -> registration gifts; ``counter.purchase_recorded`` -> spend
thresholds, the stamp trail and referral triggers; ``counter.purchase_refunded`` -> referral
claw-back; a purchase also earns lottery draws where an open campaign grants them per purchase.
Each runs as a rewards command of its own (idempotent per purchase or member), by the system actor.
Registrations, purchases and refunds cost one version read while the alliance has no campaign or
referral they could touch (``watching``: a copy kept current by the alliance's ``rewards`` version).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from guildcard.db.engine import Database
from guildcard.kernel.actors import system_actor
from guildcard.pipeline import CommandBus
from guildcard.pipeline.work import Event
from guildcard.rewards.handlers.campaigns import CountPurchase, CountRefund, GiveRegistrationGifts
from guildcard.rewards.handlers.lottery import EarnDrawsForPurchase
from guildcard.rewards.watching import Watching, watching_cache

log = logging.getLogger(__name__)


_HEARD = frozenset({"members.member_registered", "counter.purchase_recorded", "counter.purchase_refunded"})


class RewardsListener:
    def __init__(self, database: Database, bus: CommandBus) -> None:
        self.database = database
        self.bus = bus
        self.watching = watching_cache()

    def __call__(self, alliance_id: str, events: Sequence[Event]) -> None:
        for event in events:
            try:
                self._hear(alliance_id, event)
            except Exception:  # one event's failure must not stop the others
                log.exception("rewards could not act on an event", extra={"event": event.name})

    def _hear(self, alliance_id: str, event: Event) -> None:
        actor = system_actor(alliance_id, "rewards")
        p = event.payload
        if event.name not in _HEARD or (event.name == "counter.purchase_recorded" and not p.get("member_id")):
            return
        watching = self._watching(alliance_id)  # one versioned read per event, nothing when unchanged
        if event.name == "members.member_registered":
            if watching.registrations:
                self.bus.execute(actor, GiveRegistrationGifts(member_id=str(p["member_id"])))
        elif event.name == "counter.purchase_recorded":
            at = datetime.fromisoformat(str(p["occurred_at"]))
            if watching.purchases:
                counted = CountPurchase(
                    purchase_id=event.subject, member_id=str(p["member_id"]),
                    merchant_id=str(p["merchant_id"]), store_id=str(p["store_id"]),
                    payable_fen=int(p["payable_fen"]), occurred_at=at,
                )  # fmt: skip
                self.bus.execute(actor, counted)
            if watching.earns_draws(at, int(p["payable_fen"])):
                earn = EarnDrawsForPurchase(
                    purchase_id=event.subject, member_id=str(p["member_id"]),
                    payable_fen=int(p["payable_fen"]), occurred_at=at,
                    idempotency_key=f"lottery-purchase:{event.subject}",
                )  # fmt: skip
                self.bus.execute(actor, earn)
        elif event.name == "counter.purchase_refunded" and watching.refunds:
            self.bus.execute(actor, CountRefund(purchase_id=str(p["purchase_id"]), refund_id=event.subject))

    def _watching(self, alliance_id: str) -> Watching:
        with self.database.read() as conn:
            return self.watching.get(conn, alliance_id)
