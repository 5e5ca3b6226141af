"""The counter's ``TierDesk`` and ``WalletDesk``, implemented with the loyalty context.

Each call works on the counter's connection, inside its command's transaction: an upgrade,
a wallet payment or a give-back is written there, so it commits or rolls back with the
purchase. The loyalty side writes its ledger entries through a ledger on that same connection.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Connection

from guildcard.counter.domain.stages import NO_TIER, TierBenefits, TierChange, WalletBalance, WalletSplit
from guildcard.ledger import Ledger
from guildcard.ledger.handlers import LedgerAccess
from guildcard.ledger.queries.growth import purchase_growth_standing
from guildcard.loyalty import tier_queries, wallet_queries
from guildcard.loyalty.domain import wallet as wallet_rules
from guildcard.loyalty.domain.tiers import TierChange as LoyaltyTierChange
from guildcard.loyalty.domain.tiers import TierScheme
from guildcard.loyalty.domain.wallet import EarnOnWallet
from guildcard.loyalty.domain.wallet import WalletBalance as LoyaltyBalance
from guildcard.loyalty.tiering import Tiering
from guildcard.loyalty.wallet import Wallet

ONE = Decimal(1)
_COUNTER = "counter"


@dataclass
class _Ledgers:
    access: LedgerAccess = field(default_factory=LedgerAccess)

    def on(self, conn: Connection, alliance_id: str, at: datetime) -> Ledger:
        """A ledger on the counter's connection; its entries are written at once (no buffer)."""
        return self.access.for_read(conn, alliance_id, at, {})


_SCHEME_SEEN = "guildcard.loyalty.tier_scheme"


def _remember(conn: Connection, alliance_id: str, scheme: TierScheme) -> None:
    """Keep the design read by ``benefits`` for the rest of this transaction (one read per purchase)."""
    conn.info[_SCHEME_SEEN] = (id(conn.get_transaction()), alliance_id, scheme)


def _seen(conn: Connection, alliance_id: str) -> TierScheme | None:
    seen = conn.info.get(_SCHEME_SEEN)
    if seen and seen[0] == id(conn.get_transaction()) and seen[1] == alliance_id and conn.in_transaction():
        return seen[2]  # type: ignore[no-any-return]
    return None


@dataclass
class LoyaltyTierDesk:
    ledgers: _Ledgers = field(default_factory=_Ledgers)

    def benefits(
        self, conn: Connection, *, alliance_id: str, member_id: str, merchant_id: str, at: datetime
    ) -> TierBenefits:
        scheme, tier = tier_queries.scheme_and_tier(conn, alliance_id, member_id, at=at)
        _remember(conn, alliance_id, scheme)
        if tier.rank == 0 and tier.points_multiplier == ONE and not tier.member_discount:
            return NO_TIER if tier.code == "member" else TierBenefits(tier.code, tier.name)
        rate = ONE - tier.member_discount if tier.member_discount else None
        return TierBenefits(tier.code, tier.name, tier.points_multiplier, rate)

    def after_purchase(
        self,
        conn: Connection,
        *,
        alliance_id: str,
        member_id: str,
        purchase_id: str,
        growth: int,
        at: datetime,
        ready: Callable[[], None],
    ) -> TierChange | None:
        scheme = _seen(conn, alliance_id)
        if scheme is not None and len(scheme.tiers) == 1:
            return None  # no tiers designed: nothing to upgrade to
        ready()  # the tiering reads the member's growth from the ledger
        tiering = Tiering(
            conn,
            alliance_id,
            at,
            actor_id=_COUNTER,
            ledger=self.ledgers.on(conn, alliance_id, at),
            scheme=scheme,
        )
        return _shown(tiering, tiering.after_purchase(member_id, purchase_id=purchase_id, growth=growth))

    def after_refund(
        self, conn: Connection, *, alliance_id: str, member_id: str, purchase_id: str, growth_reversed: int,
        final: bool, at: datetime,
    ) -> TierChange | None:  # fmt: skip
        tiering = Tiering(
            conn, alliance_id, at, actor_id=_COUNTER, ledger=self.ledgers.on(conn, alliance_id, at)
        )
        standing = purchase_growth_standing(conn, alliance_id, purchase_id)
        return _shown(
            tiering, tiering.after_refund(member_id, purchase_id=purchase_id, growth_standing=standing)
        )


def _shown(tiering: Tiering, change: LoyaltyTierChange | None) -> TierChange | None:
    if change is None:
        return None
    to = tiering.scheme.get(change.to_tier)
    return TierChange(change.from_tier, change.to_tier, to.name if to else None, change.reason.value)


@dataclass
class LoyaltyWalletDesk:
    ledgers: _Ledgers = field(default_factory=_Ledgers)

    def balance(self, conn: Connection, *, alliance_id: str, member_id: str, lock: bool) -> WalletBalance:
        held = wallet_queries.balance(conn, alliance_id, member_id, lock=lock)
        return WalletBalance(held.principal, held.bonus)

    def split(
        self, conn: Connection, *, alliance_id: str, balance: WalletBalance, amount_fen: int
    ) -> WalletSplit:
        settings = wallet_queries.settings(conn, alliance_id)
        principal, bonus = wallet_rules.split(
            LoyaltyBalance(balance.principal_fen, balance.bonus_fen), amount_fen, settings.spend_order
        )
        earning = {
            EarnOnWallet.ALL: principal + bonus,
            EarnOnWallet.PRINCIPAL: principal,
            EarnOnWallet.NONE: 0,
        }
        return WalletSplit(principal, bonus, earning[settings.earn_on])

    def pay(
        self, conn: Connection, *, alliance_id: str, member_id: str, merchant_id: str, purchase_id: str,
        split: WalletSplit, at: datetime,
    ) -> str:  # fmt: skip
        wallet = Wallet(conn, alliance_id, at, self.ledgers.on(conn, alliance_id, at))
        paid = wallet.pay(
            member_id, merchant_id=merchant_id, principal_fen=split.principal_fen, bonus_fen=split.bonus_fen,
            payment_id=purchase_id,
        )  # fmt: skip
        return paid.entry_id

    def give_back(
        self, conn: Connection, *, alliance_id: str, member_id: str, merchant_id: str, purchase_id: str,
        refund_id: str, principal_fen: int, bonus_fen: int, at: datetime,
    ) -> str:  # fmt: skip
        wallet = Wallet(conn, alliance_id, at, self.ledgers.on(conn, alliance_id, at))
        back = wallet.give_back_parts(
            purchase_id, principal_fen=principal_fen, bonus_fen=bonus_fen, refund_id=refund_id
        )
        return back.entry_id or ""
