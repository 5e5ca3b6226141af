"""Counter top-ups and paid-card sales over the POS API (the pages have their own two steps).

One request names the store, the member (a scanned code or a consented phone) and a package, an
amount or a plan, with the client's idempotency key. The store is checked as for a purchase
(``access.check_store``: a POS key only at its store, a cashier at the stores assigned). The member
code is accepted under a key derived from the client's, so a resent request finds the same member
instead of "code already used"; the write is the loyalty context's command (``TopUpWallet``,
``SellPaidCard``) under the merchant-scoped key, so a resend replays its first result.

Two transactions, as on the pages: a write refused after the code was accepted leaves the code
spent (the cashier scans the next one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from guildcard.counter.commands import MemberIdentity
from guildcard.counter.domain.errors import MemberRequired
from guildcard.counter.service import CounterService
from guildcard.kernel.actors import Actor
from guildcard.kernel.errors import InvalidInput
from guildcard.loyalty.card_handlers import MemberCard
from guildcard.loyalty.card_service import CardService
from guildcard.loyalty.wallet import TopUp
from guildcard.loyalty.wallet_service import WalletService
from guildcard.members.services.member_codes import MemberCodes


@dataclass(frozen=True)
class CardSale:
    """The card-sale receipt: what the member bought and the price the merchant collected."""

    card: MemberCard
    price_fen: int
    store_id: str
    replayed: bool


@dataclass(frozen=True)
class DeskTopUp:
    topup: TopUp
    store_id: str
    replayed: bool


@dataclass
class DeskSales:
    counter: CounterService
    member_codes: MemberCodes
    wallets: WalletService
    cards: CardService

    def top_up(
        self,
        actor: Actor,
        *,
        store_id: str,
        member: MemberIdentity,
        idempotency_key: str,
        package_id: str | None = None,
        amount_fen: int = 0,
    ) -> DeskTopUp:
        if bool(package_id) == bool(amount_fen):
            raise InvalidInput("Choose a package or enter an amount.", field="amount_fen")
        store = self.counter.open_store(actor, store_id=store_id)
        key = _scoped(store.merchant_id, idempotency_key)
        member_id = self._member(actor, member, key)
        done = self.wallets.top_up(
            actor, member_id=member_id, merchant_id=store.merchant_id, store_id=store.store_id,
            package_id=package_id, pay_fen=amount_fen, idempotency_key=key,
        )  # fmt: skip
        return DeskTopUp(done.value, store.store_id, done.replayed)

    def sell_card(
        self, actor: Actor, *, store_id: str, member: MemberIdentity, plan_id: str, idempotency_key: str
    ) -> CardSale:
        store = self.counter.open_store(actor, store_id=store_id)
        key = _scoped(store.merchant_id, idempotency_key)
        member_id = self._member(actor, member, key)
        done = self.cards.sell(
            actor, member_id=member_id, merchant_id=store.merchant_id, plan_id=plan_id,
            store_id=store.store_id, idempotency_key=key,
        )  # fmt: skip
        card: MemberCard = done.value
        return CardSale(card, card.price_fen, store.store_id, done.replayed)

    def _member(self, actor: Actor, who: MemberIdentity, key: str, now: datetime | None = None) -> str:
        if bool(who.member_code) == bool(who.phone):
            raise MemberRequired(field="member_code")
        if who.member_code:
            ref = self.member_codes.redeem_member_code(
                actor.alliance_id, who.member_code, now, idempotency_key=f"{key}:member"
            )
        else:
            assert who.phone is not None
            ref = self.member_codes.lookup_by_phone_for_counter(actor.alliance_id, who.phone)
        return ref.member_id


def _scoped(merchant_id: str, key: str) -> str:
    return f"pos:{merchant_id}:{key}"
