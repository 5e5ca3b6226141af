"""A member merge's loyalty part, on the merge's connection and ledger (its one transaction).

- **Stored value**: the absorbed member's open top-ups (principal and bonus left, each with the
  merchant that collected it) become the survivor's, by one ``wallet_transfer`` FEN entry
  (``member:A:wallet`` -> ``member:S:wallet``, the bonus likewise): the alliance's liability and what
  each merchant collected do not change. Its payments and pending refund requests follow, so a
  later refund of an old payment gives back to the survivor's wallet, whose top-ups it drew from.
- **Paid cards**: the absorbed member's cards become the survivor's; its validity is the latest
  end of all of them (the longer of the two), and its card claim on a tier is kept when it ends later.
- **Tier**: re-evaluated on the combined growth (the ledger moved the growth before this runs);
  a change is logged with reason ``merge``.

The undo moves back exactly the top-ups, payments, requests and cards that moved, refusing when any
moved top-up was spent or refunded since; the survivor's tier row comes back as it was before the
merge, then is re-evaluated on its own growth (reason ``unmerge``).
"""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from guildcard.ledger import Ledger, Posting, chart
from guildcard.loyalty.domain import tiers as rules
from guildcard.loyalty.domain.tiers import MemberTier, TierReason
from guildcard.loyalty.storage.cards import CardRepository
from guildcard.loyalty.storage.wallet import WalletRepository
from guildcard.loyalty.tiering import Tiering
from guildcard.loyalty.wallet import FEN

TRANSFER = "wallet_transfer"


class CannotMoveBack(Exception):
    """What moved is not all there any more (spent or refunded since): the reason, in words."""


def carry_wallet(
    conn: Connection, ledger: Ledger, alliance_id: str, *, source: str, target: str, reference: str
) -> dict[str, Any]:
    """Move ``source``'s open top-ups, payments and pending requests to ``target``; what moved."""
    repo = WalletRepository(conn, alliance_id)
    for member in sorted((source, target)):  # a fixed order, as payments lock them
        repo.open_lots(member, lock=True)
    lots = repo.open_lots(source, lock=False)
    payments = repo.member_payment_ids(source)
    requests = repo.pending_request_ids(source)
    principal, bonus = sum(x.principal_left for x in lots), sum(x.bonus_left for x in lots)
    entry_id = _post(ledger, source, target, principal, bonus, key=f"{reference}:wallet", reference=reference)
    repo.reassign(lot_ids=[x.lot_id for x in lots], payment_ids=payments, request_ids=requests, to=target)
    return {
        "entry_id": entry_id,
        "lots": [[x.lot_id, x.principal_left, x.bonus_left] for x in lots],
        "payments": payments,
        "requests": requests,
        "principal": principal,
        "bonus": bonus,
    }


def restore_wallet(
    conn: Connection, ledger: Ledger, alliance_id: str, *, source: str, target: str, reference: str,
    record: dict[str, Any],
) -> int:  # fmt: skip
    """Move back what ``carry_wallet`` moved (``source`` is now the survivor); the fen moved back."""
    repo = WalletRepository(conn, alliance_id)
    for member in sorted((source, target)):
        repo.open_lots(member, lock=True)
    for lot_id, principal_left, bonus_left in record["lots"]:
        lot = repo.lot(lot_id)
        if (
            lot is None
            or lot["member_id"] != source
            or lot["state"] != "open"
            or (int(lot["principal_left"]), int(lot["bonus_left"])) != (principal_left, bonus_left)
        ):
            raise CannotMoveBack("some of the moved stored value was spent or refunded since")
    principal, bonus = int(record["principal"]), int(record["bonus"])
    _post(ledger, source, target, principal, bonus, key=f"{reference}:wallet", reference=reference)
    repo.reassign(
        lot_ids=[lot[0] for lot in record["lots"]],
        payment_ids=record["payments"],
        request_ids=record["requests"],
        to=target,
    )
    return principal + bonus


def _post(
    ledger: Ledger, source: str, target: str, principal: int, bonus: int, *, key: str, reference: str
) -> str | None:
    postings = [
        Posting(account, FEN, amount)
        for account, amount in (
            (chart.member_wallet(source), -principal),
            (chart.member_wallet(target), principal),
            (chart.member_wallet_bonus(source), -bonus),
            (chart.member_wallet_bonus(target), bonus),
        )
        if amount
    ]
    if not postings:
        return None
    entry = ledger.post(
        kind=TRANSFER, postings=postings, idempotency_key=key, reference=reference, member_id=target
    )
    return entry.entry_id


def _when(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _tier_snapshot(held: MemberTier | None) -> dict[str, Any] | None:
    return None if held is None else {k: _when(v) for k, v in asdict(held).items()}


def _tier_from(snapshot: dict[str, Any]) -> MemberTier:
    times = ("since", "grace_until", "floor_ends_at", "card_ends_at")
    values: dict[str, Any] = {
        k: datetime.fromisoformat(v) if k in times and v is not None else v for k, v in snapshot.items()
    }
    return MemberTier(**values)


def carry_cards_and_tier(
    conn: Connection, alliance_id: str, *, source: str, target: str, now: datetime, actor_id: str,
    reference: str,
) -> dict[str, Any]:  # fmt: skip
    """Cards to ``target``, the later card claim kept, the tier raised to what the combined growth earns."""
    cards = CardRepository(conn, alliance_id)
    card_ids = cards.card_ids_of(source)
    cards.reassign(card_ids, to=target)
    tiering = Tiering(conn, alliance_id, now, actor_id=actor_id)
    before = tiering.repo.held(target, for_update=True)
    theirs = tiering.repo.held(source, for_update=True)
    held = before or rules.starting(target, tiering.scheme, now)
    if (
        theirs is not None
        and theirs.card_ends_at is not None
        and (held.card_ends_at is None or theirs.card_ends_at > held.card_ends_at)
    ):
        held = replace(held, card_tier=theirs.card_tier, card_ends_at=theirs.card_ends_at)
    change = tiering.after_merge(target, held, reason=TierReason.MERGE, reference=reference)
    return {
        "cards": card_ids,
        "tier_before": _tier_snapshot(before),
        "tier": None if change is None else change.to_tier,
    }


def restore_cards_and_tier(
    conn: Connection, alliance_id: str, *, source: str, target: str, now: datetime, actor_id: str,
    reference: str, record: dict[str, Any],
) -> int:  # fmt: skip
    """Cards back to ``target`` (the absorbed member); the survivor's tier claims as they were before
    the merge, raised to what its own growth earns now."""
    cards = CardRepository(conn, alliance_id)
    cards.reassign(record["cards"], to=target)
    tiering = Tiering(conn, alliance_id, now, actor_id=actor_id)
    snapshot = record.get("tier_before")
    held = _tier_from(snapshot) if snapshot else rules.starting(source, tiering.scheme, now)
    tiering.after_merge(source, held, reason=TierReason.UNMERGE, reference=reference)
    return len(record["cards"])
