"""Storing what the linkage job found: candidate pairs with their contributions (ids and weights only)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.errors import PermissionDenied
from guildcard.members.errors import MergeRefused, PairNotFound
from guildcard.members.handlers.common import handlers
from guildcard.members.handlers.merge import mergers_only
from guildcard.members.storage.merges import MergeRepository
from guildcard.pipeline import Command, Work


@dataclass(frozen=True, kw_only=True)
class SavePairs(Command):
    scope = "members.save_match_pairs"
    alliance_id: str
    pairs: tuple[dict[str, Any], ...]
    compared: int


def _operators_or_system(actor: Actor, command: SavePairs) -> None:
    if actor.alliance_id != command.alliance_id or not (
        actor.kind is ActorKind.SYSTEM or actor.is_operator()
    ):
        raise PermissionDenied()


@handlers.register(authorize=_operators_or_system)
def save_pairs(command: SavePairs, work: Work) -> int:
    merges = MergeRepository(work.connection)
    added = merges.save_pairs(command.alliance_id, list(command.pairs), work.now)
    merges.record_run(command.alliance_id, work.now, command.compared)
    work.audit(
        "members.linkage_run", object_type="member_linkage", object_id=command.alliance_id,
        details={"compared": command.compared, "candidates": len(command.pairs), "added": added},
    )  # fmt: skip
    if added:
        work.emit("members.duplicates_found", command.alliance_id, added=added, candidates=len(command.pairs))
    return added


PAIR_VERDICTS = ("distinct", "open")  # not the same person; back to the review list


@dataclass(frozen=True, kw_only=True)
class ReviewPair(Command):
    """An operator's verdict on a candidate pair that is not merged: two people, or undecided."""

    scope = "members.review_match_pair"
    alliance_id: str
    pair_id: str
    verdict: str


@dataclass(frozen=True)
class PairReviewed:
    pair_id: str
    status: str


@handlers.register(authorize=mergers_only)
def review_pair(command: ReviewPair, work: Work) -> PairReviewed:
    if command.verdict not in PAIR_VERDICTS:
        raise MergeRefused("the verdict is distinct or open", verdict=command.verdict)
    merges = MergeRepository(work.connection)
    pair = merges.pair(command.alliance_id, command.pair_id)
    if pair is None:
        raise PairNotFound()
    if pair.status == "merged":
        raise MergeRefused("this pair was merged: undo the merge instead")
    reviewed = command.verdict != "open"
    merges.set_pair_status(
        command.alliance_id, command.pair_id, command.verdict,
        by=work.actor.id if reviewed else None, now=work.now if reviewed else None,
    )  # fmt: skip
    work.audit(
        "members.review_match_pair", object_type="member_match_pair", object_id=command.pair_id,
        details={"verdict": command.verdict, "member_l": pair.member_l, "member_r": pair.member_r},
    )  # fmt: skip
    return PairReviewed(command.pair_id, command.verdict)
