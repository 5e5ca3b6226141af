"""Storing what the linkage job found: candidate pairs with their contributions (ids and weights only)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.errors import PermissionDenied
from guildcard.members.handlers.common import handlers
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
