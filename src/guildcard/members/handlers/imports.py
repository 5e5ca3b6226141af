"""Importing a merchant's members and purchase history: one command per chunk of clean rows.

Rows are checked before any command (``domain/imports``); a chunk is one transaction. A row
whose key (merchant, the merchant's member id) was imported before is left as it is, so
re-importing a file changes nothing. A phone that is already a member links to that member.
Imported members get no consent of their own: the importing merchant attests the basis (kept on
the batch), and marketing waits until the member signs in and agrees.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.ids import new_id
from guildcard.ledger.bulk import AwardRequest, award_many
from guildcard.ledger.domain import entries as chart
from guildcard.ledger.service import Ledger
from guildcard.members.domain import member_code
from guildcard.members.domain.imports import ImportRow, PurchaseRow
from guildcard.members.domain.pseudonyms import customer_label
from guildcard.members.errors import ImportNotAllowed
from guildcard.members.handlers.common import handlers, member_repository
from guildcard.members.storage.imports import ImportRepository, NewMember
from guildcard.members.storage.uploads import UploadRepository
from guildcard.pipeline import Command, Work

IMPORTER_ROLES = ("admin",)


def importers_only(actor: Actor, command: Any) -> None:
    """The system (CLI, demo), an operator admin, or the importing merchant's owner."""
    if actor.alliance_id != command.alliance_id:
        raise ImportNotAllowed()
    if actor.kind is ActorKind.SYSTEM or actor.is_operator(*IMPORTER_ROLES):
        return
    if command.merchant_id and actor.is_staff_of(command.merchant_id, "owner"):
        return
    raise ImportNotAllowed()


@dataclass(frozen=True, kw_only=True)
class ImportMembers(Command):
    scope = "members.import_members"
    alliance_id: str
    merchant_id: str
    batch_id: str
    source_name: str
    basis: str
    rows: tuple[ImportRow, ...] = field(repr=False)
    rejected: int = 0  # bad rows of this chunk (reported, not written)
    upload_id: str | None = None  # the import page's staged file, marked as imported


@dataclass(frozen=True)
class ImportedChunk:
    batch_id: str
    created: int
    linked: int
    unchanged: int
    points_awarded: int
    linked_member_ids: tuple[str, ...]


def opening_key(merchant_id: str, external_id: str) -> str:
    return f"import:{merchant_id}:{external_id}"


@handlers.register(authorize=importers_only)
def import_members(command: ImportMembers, work: Work) -> ImportedChunk:
    alliance_id, merchant_id, now = command.alliance_id, command.merchant_id, work.now
    repo = member_repository(work)
    store = ImportRepository(work.connection, repo)
    known = store.imported_keys(alliance_id, merchant_id, [r.external_id for r in command.rows])
    fresh = [r for r in command.rows if r.external_id not in known]
    fresh = list({r.external_id: r for r in fresh}.values())  # a key twice in one chunk: the last row
    hashes = {r.external_id: repo.phone_hash(alliance_id, r.phone) for r in fresh}
    existing = store.members_by_phone_hash(alliance_id, sorted(set(hashes.values())))
    new_members: list[NewMember] = []
    keys: list[dict[str, Any]] = []
    linked: list[str] = []
    for r in fresh:
        phone_hash = hashes[r.external_id]
        member_id = existing.get(phone_hash)
        outcome = "linked"
        if member_id is None:
            member_id, outcome = new_id("mem"), "created"
            existing[phone_hash] = member_id  # the same phone later in the chunk links to this one
            new_members.append(
                NewMember(
                    member_id=member_id,
                    phone=r.phone,
                    name=r.name,
                    gender=r.gender.value if r.gender else None,
                    birthday=r.birthday.isoformat() if r.birthday else None,
                    totp_secret=member_code.new_secret(),
                    pseudonym=customer_label(repo.keyed_digest(member_id, scope=f"{alliance_id}:pseudonym")),
                    registered_at=r.registered_at or now,
                )
            )
        else:
            linked.append(member_id)
        keys.append(
            {
                "alliance_id": alliance_id, "merchant_id": merchant_id, "external_id": r.external_id,
                "member_id": member_id, "batch_id": command.batch_id, "outcome": outcome,
                "opening_points": r.opening_points, "imported_at": now,
            }
        )  # fmt: skip
    if new_members:
        first = store.reserve_numbers(alliance_id, len(new_members))
        store.add_members(alliance_id, new_members, first_number=first, now=now)
    store.add_keys(keys)
    awards = [
        AwardRequest(
            member_id=k["member_id"],
            issuer=chart.merchant_issued(merchant_id),
            amount=k["opening_points"],
            idempotency_key=opening_key(merchant_id, k["external_id"]),
            reference=f"import:{command.batch_id}",
        )
        for k in keys
        if k["opening_points"] > 0
    ]
    if awards:
        award_many(Ledger(work.connection, alliance_id=alliance_id, clock=work.deps.clock), awards)
    counts = {
        "created": len(new_members),
        "linked": len(linked),
        "unchanged": len(command.rows) - len(fresh),
        "rejected": command.rejected,
    }
    store.record_batch(
        alliance_id=alliance_id,
        batch_id=command.batch_id,
        values={
            "merchant_id": merchant_id, "kind": "members", "basis": command.basis,
            "source_name": command.source_name[:200], "imported_by": work.actor.id, "imported_at": now,
        },
        counts=counts,
    )  # fmt: skip
    points = sum(a.amount for a in awards)
    if command.upload_id:
        UploadRepository(work.connection).mark_imported(alliance_id, command.upload_id, command.batch_id)
    work.audit(
        "members.import",
        object_type="member_import",
        object_id=command.batch_id,
        merchant_id=merchant_id,
        details={**counts, "points": points},
    )
    if new_members or linked:
        work.emit(
            "members.members_imported",
            command.batch_id,
            batch_id=command.batch_id,
            merchant_id=merchant_id,
            created_ids=[m.member_id for m in new_members],
            linked_ids=linked,
        )
    return ImportedChunk(
        command.batch_id, len(new_members), len(linked), counts["unchanged"], points, tuple(linked)
    )


@dataclass(frozen=True, kw_only=True)
class ImportPurchases(Command):
    scope = "members.import_purchases"
    alliance_id: str
    merchant_id: str  # whose purchases these are (the file's merchant column may name stores only)
    batch_id: str
    source_name: str
    rows: tuple[PurchaseRow, ...] = field(repr=False)
    award_points: bool = False  # no points unless asked: then the merchant's earn is 1 point per yuan
    rejected: int = 0


@dataclass(frozen=True)
class ImportedPurchases:
    batch_id: str
    added: int
    unchanged: int
    unknown_member_rows: tuple[int, ...]
    points_awarded: int


@handlers.register(authorize=importers_only)
def import_purchases(command: ImportPurchases, work: Work) -> ImportedPurchases:
    alliance_id, merchant_id, now = command.alliance_id, command.merchant_id, work.now
    repo = member_repository(work)
    store = ImportRepository(work.connection, repo)
    by_external = store.member_ids_by_external(
        alliance_id, merchant_id, [r.member for r in command.rows if not r.member_is_phone]
    )
    phone_hashes = {
        r.member: repo.phone_hash(alliance_id, r.member) for r in command.rows if r.member_is_phone
    }
    by_phone_hash = store.members_by_phone_hash(alliance_id, sorted(set(phone_hashes.values())))
    known = store.known_orders(alliance_id, merchant_id, [r.order_number for r in command.rows])
    rows: list[dict[str, Any]] = []
    unknown: list[int] = []
    awards: list[AwardRequest] = []
    seen: set[str] = set()
    for r in command.rows:
        if r.order_number in known or r.order_number in seen:
            continue
        member_id = (
            by_phone_hash.get(phone_hashes[r.member]) if r.member_is_phone else by_external.get(r.member)
        )
        if member_id is None:
            unknown.append(r.row)
            continue
        seen.add(r.order_number)
        entry_id = None
        if command.award_points and r.amount_fen >= 100:
            awards.append(
                AwardRequest(
                    member_id=member_id,
                    issuer=chart.merchant_issued(merchant_id),
                    amount=r.amount_fen // 100,
                    idempotency_key=f"history:{merchant_id}:{r.order_number}",
                    reference=f"history:{r.order_number}",
                    occurred_at=r.occurred_at,
                )
            )
        rows.append(
            {
                "alliance_id": alliance_id, "merchant_id": merchant_id, "order_number": r.order_number,
                "member_id": member_id, "store_id": r.store, "occurred_at": r.occurred_at,
                "amount_fen": r.amount_fen, "item_count": r.item_count, "batch_id": command.batch_id,
                "points_entry_id": entry_id,
            }
        )  # fmt: skip
    store.add_purchases(rows)
    points = 0
    if awards:
        results = award_many(Ledger(work.connection, alliance_id=alliance_id, clock=work.deps.clock), awards)
        points = sum(a.amount for a in awards)
        del results
    unchanged = len(command.rows) - len(rows) - len(unknown)
    store.record_batch(
        alliance_id=alliance_id,
        batch_id=command.batch_id,
        values={
            "merchant_id": merchant_id, "kind": "purchases", "basis": None,
            "source_name": command.source_name[:200], "imported_by": work.actor.id, "imported_at": now,
        },
        counts={"created": len(rows), "linked": 0, "unchanged": unchanged,
                "rejected": command.rejected + len(unknown)},
    )  # fmt: skip
    work.audit(
        "members.import_purchases",
        object_type="member_import",
        object_id=command.batch_id,
        merchant_id=merchant_id,
        details={
            "added": len(rows),
            "unchanged": unchanged,
            "unknown_member": len(unknown),
            "points": points,
        },
    )
    if rows:
        work.emit(
            "members.purchase_history_imported",
            command.batch_id,
            batch_id=command.batch_id,
            merchant_id=merchant_id,
            purchases=len(rows),
            amount_fen=sum(r["amount_fen"] for r in rows),
        )
    return ImportedPurchases(command.batch_id, len(rows), unchanged, tuple(unknown), points)
