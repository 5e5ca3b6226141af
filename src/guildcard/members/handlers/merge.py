"""Merging a reviewed pair into one survivor, and undoing it within 30 days.

One command, one transaction: the absorbed member's points lots, pending points and growth move
to the survivor by a ledger transfer entry (issuer and expiry kept, so settlement is unchanged);
its purchase history and the merchants' member ids follow; each consent becomes the more
restrictive of the two; the absorbed member is marked merged (its member codes stop working, its
sessions are revoked) and its phone resolves to the survivor. ``members.merged`` goes to the
outbox: tiers, coupons, the wallet and paid cards (other contexts) follow from that event.
An undo moves back exactly what moved, and refuses (saying why) when any of it is gone.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

from guildcard.auth import tokens
from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.ids import new_id
from guildcard.ledger.hold_transfer import MovedHold, TransferRefused
from guildcard.ledger.service import Ledger
from guildcard.ledger.transfer import move_member_value
from guildcard.members.domain.model import Consent, ConsentKind, MemberStatus, current_consents
from guildcard.members.errors import MergeNotAllowed, MergeNotFound, MergeRefused, UnmergeRefused
from guildcard.members.handlers.common import handlers, member_repository, ports
from guildcard.members.ports import CarryRefused, MergeScope
from guildcard.members.storage.merges import MergeRepository
from guildcard.pipeline import Command, Work

UNDO_WINDOW = timedelta(days=30)
MERGER_ROLES = ("admin", "reviewer")


def mergers_only(actor: Actor, command: Any) -> None:
    if actor.alliance_id != command.alliance_id:
        raise MergeNotAllowed()
    if actor.kind is ActorKind.SYSTEM or actor.is_operator(*MERGER_ROLES):
        return
    raise MergeNotAllowed()


@dataclass(frozen=True, kw_only=True)
class MergeMembers(Command):
    scope = "members.merge"
    alliance_id: str
    survivor_id: str
    absorbed_id: str
    pair_id: str | None = None


@dataclass(frozen=True)
class Merged:
    merge_id: str
    survivor_id: str
    absorbed_id: str
    points: int
    pending: int
    growth: int
    purchases: int
    # what else moved, by kind: debt settled, holds, and each context's (wallet_fen, cards, coupons, ...)
    carried: tuple[tuple[str, int], ...] = ()


def _ledger(work: Work, alliance_id: str) -> Ledger:
    return Ledger(work.connection, alliance_id=alliance_id, clock=work.deps.clock)


def _scope(work: Work, alliance_id: str, merge_id: str, source: str, target: str) -> MergeScope:
    return MergeScope(
        work.connection, _ledger(work, alliance_id), alliance_id, merge_id, source, target, work.now,
        work.actor.id,
    )  # fmt: skip


def _carry(work: Work, scope: MergeScope) -> tuple[dict[str, Any], dict[str, int]]:
    """Every other context's holdings, in the wiring's order: (records by carrier, counts)."""
    records: dict[str, Any] = {}
    counts: dict[str, int] = {}
    for carrier in ports(work).carriers:
        try:
            carried = carrier.carry(scope)
        except CarryRefused as refused:
            raise MergeRefused(refused.reason, holding=carrier.name) from refused
        records[carrier.name] = carried.record
        counts |= carried.counts
    return records, counts


def _restore(work: Work, scope: MergeScope, records: dict[str, Any]) -> dict[str, int]:
    """Move back what each carrier moved (the last carried first); refused, saying why, when one cannot."""
    counts: dict[str, int] = {}
    for carrier in reversed(ports(work).carriers):
        if carrier.name not in records:
            continue
        try:
            counts |= carrier.restore(scope, records[carrier.name])
        except CarryRefused as refused:
            raise UnmergeRefused(refused.reason, holding=carrier.name) from refused
    return counts


def _stricter_consents(work: Work, command: MergeMembers, merge_id: str) -> list[dict[str, Any]]:
    """Withdraw on the survivor each consent the absorbed member had not given; what was changed."""
    repo = member_repository(work)
    mine = current_consents(repo.consents(command.alliance_id, command.survivor_id))
    theirs = current_consents(repo.consents(command.alliance_id, command.absorbed_id))
    changed = []
    for kind, record in mine.items():
        if kind is ConsentKind.TERMS or not record.granted:
            continue
        other = theirs.get(kind)
        if other is None or not other.granted:
            repo.add_consent(
                command.alliance_id, command.survivor_id, Consent(kind, False, f"merge:{merge_id}", work.now)
            )
            changed.append({"kind": kind.value, "version": record.version})
    return changed


@handlers.register(authorize=mergers_only)
def merge_members(command: MergeMembers, work: Work) -> Merged:
    alliance_id, now = command.alliance_id, work.now
    if command.survivor_id == command.absorbed_id:
        raise MergeRefused("a member cannot be merged into itself")
    repo, merges = member_repository(work), MergeRepository(work.connection)
    for member_id in sorted((command.survivor_id, command.absorbed_id)):
        member = repo.get(alliance_id, member_id, lock=True)
        if member is None or not member.is_active:
            raise MergeRefused("both members must exist and be active", member_id=member_id)
    merge_id = new_id("mrg")
    try:
        moved = move_member_value(
            _ledger(work, alliance_id),
            source=command.absorbed_id,
            target=command.survivor_id,
            idempotency_key=f"merge:{merge_id}",
            reference=f"merge:{merge_id}",
        )
    except TransferRefused as refused:
        raise MergeRefused(refused.message) from refused
    orders = merges.move_purchases(alliance_id, command.absorbed_id, command.survivor_id, None)
    keys = merges.move_import_keys(alliance_id, command.absorbed_id, command.survivor_id, None)
    carried, counts = _carry(
        work, _scope(work, alliance_id, merge_id, command.absorbed_id, command.survivor_id)
    )
    consents = _stricter_consents(work, command, merge_id)
    merges.set_status(alliance_id, command.absorbed_id, MemberStatus.MERGED.value, now)
    phone_hash = merges.phone_hash_of(alliance_id, command.absorbed_id)
    if phone_hash:
        merges.alias_phone(alliance_id, phone_hash, command.survivor_id, merge_id, command.absorbed_id)
    sessions = tokens.revoke_all_for(
        work.connection,
        alliance_id=alliance_id,
        actor_kind=ActorKind.MEMBER,
        actor_id=command.absorbed_id,
        now=now,
    )
    if command.pair_id:
        merges.set_pair_status(alliance_id, command.pair_id, "merged", by=work.actor.id, now=now)
    record = {
        "entry_id": moved.entry_id, "lots": [asdict(m) for m in moved.lots], "growth": moved.growth,
        "orders": orders, "import_keys": keys, "consents": consents, "carried": carried,
        "debt": moved.debt, "holds": [asdict(h) for h in moved.holds],
    }  # fmt: skip
    merges.add_merge(
        alliance_id=alliance_id, merge_id=merge_id, survivor_id=command.survivor_id,
        absorbed_id=command.absorbed_id, pair_id=command.pair_id, moved=record, status="merged",
        merged_at=now, merged_by=work.actor.id, undo_before=now + UNDO_WINDOW,
    )  # fmt: skip
    details = {
        "survivor_id": command.survivor_id, "absorbed_id": command.absorbed_id, "points": moved.points,
        "pending": moved.pending, "growth": moved.growth, "purchases": len(orders),
        "sessions_revoked": sessions, "debt_settled": moved.debt,
        "holds": len(moved.holds), **counts,
    }  # fmt: skip
    work.audit("members.merge", object_type="member_merge", object_id=merge_id, details=details)
    work.emit("members.merged", merge_id, merge_id=merge_id, **details)
    return Merged(
        merge_id,
        command.survivor_id,
        command.absorbed_id,
        moved.points,
        moved.pending,
        moved.growth,
        len(orders),
        tuple(sorted({"debt_settled": moved.debt, "holds": len(moved.holds), **counts}.items())),
    )


@dataclass(frozen=True, kw_only=True)
class UnmergeMembers(Command):
    scope = "members.unmerge"
    alliance_id: str
    merge_id: str


@dataclass(frozen=True)
class Unmerged:
    merge_id: str
    survivor_id: str
    absorbed_id: str
    points: int
    carried: tuple[tuple[str, int], ...] = ()  # what moved back, by kind


@handlers.register(authorize=mergers_only)
def unmerge_members(command: UnmergeMembers, work: Work) -> Unmerged:
    alliance_id, now = command.alliance_id, work.now
    merges, repo = MergeRepository(work.connection), member_repository(work)
    merge = merges.merge(alliance_id, command.merge_id, lock=True)
    if merge is None:
        raise MergeNotFound()
    if merge.status != "merged":
        raise UnmergeRefused("this merge was undone already")
    if now >= merge.undo_before:
        raise UnmergeRefused("a merge can be undone within 30 days only")
    survivor = repo.get(alliance_id, merge.survivor_id, lock=True)
    if survivor is None or not survivor.is_active:
        raise UnmergeRefused("the survivor is no longer active (erased or merged again)")
    moved = merge.moved
    try:
        back = move_member_value(
            _ledger(work, alliance_id),
            source=merge.survivor_id,
            target=merge.absorbed_id,
            idempotency_key=f"unmerge:{merge.merge_id}",
            reference=f"unmerge:{merge.merge_id}",
            lot_ids=[lot["target_lot"] for lot in moved["lots"]],
            growth=moved["growth"],
            debt=moved.get("debt", 0),
            settled_by=moved.get("entry_id"),
            holds=[
                MovedHold(h["hold_id"], h["amount"], h["entry_id"], tuple(h["lots"]))
                for h in moved.get("holds", [])
            ],
        )
    except TransferRefused as refused:
        raise UnmergeRefused(f"the moved value is not all there any more: {refused.message}") from refused
    restored = _restore(
        work, _scope(work, alliance_id, merge.merge_id, merge.survivor_id, merge.absorbed_id),
        moved.get("carried", {}),
    )  # fmt: skip
    merges.move_purchases(
        alliance_id, merge.survivor_id, merge.absorbed_id, [tuple(o) for o in moved["orders"]]
    )
    merges.move_import_keys(
        alliance_id, merge.survivor_id, merge.absorbed_id, [tuple(k) for k in moved["import_keys"]]
    )
    for consent in moved["consents"]:
        repo.add_consent(
            alliance_id,
            merge.survivor_id,
            Consent(ConsentKind(consent["kind"]), True, consent["version"], now),
        )
    merges.set_status(alliance_id, merge.absorbed_id, MemberStatus.ACTIVE.value, now)
    merges.drop_aliases(alliance_id, merge.merge_id)
    merges.mark_undone(alliance_id, merge.merge_id, by=work.actor.id, now=now)
    if merge.pair_id:
        merges.set_pair_status(alliance_id, merge.pair_id, "open", by=None, now=None)
    details = {
        "survivor_id": merge.survivor_id, "absorbed_id": merge.absorbed_id, "points": back.points,
        **restored,
    }  # fmt: skip
    work.audit("members.unmerge", object_type="member_merge", object_id=merge.merge_id, details=details)
    work.emit("members.unmerged", merge.merge_id, merge_id=merge.merge_id, **details)
    return Unmerged(
        merge.merge_id, merge.survivor_id, merge.absorbed_id, back.points + back.pending,
        tuple(sorted({"debt": back.debt, "holds": len(back.holds), **restored}.items())),
    )  # fmt: skip
