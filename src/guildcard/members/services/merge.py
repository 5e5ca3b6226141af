"""Finding duplicates in an alliance (the linkage job), reviewing pairs, merging and undoing merges.

The job is incremental: it scores every active member, keeps the pairs in which at least one
member is new or changed since the last run, and adds those not found before (a pair already
found keeps its review). Pairs at or above the upper threshold are near-certain, the others
(above the lower one) wait for review. Personal data is decrypted only in this process, for the
comparison, and never leaves it: the stored pairs hold member ids, probabilities and weights.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select

from guildcard.kernel.actors import Actor
from guildcard.members.domain.model import MemberStatus
from guildcard.members.handlers.linkage import SavePairs
from guildcard.members.handlers.merge import Merged, MergeMembers, Unmerged, UnmergeMembers
from guildcard.members.linkage import model
from guildcard.members.linkage.prepare import prepare
from guildcard.members.services.base import MembersDeps
from guildcard.members.storage.merges import MergeRepository
from guildcard.members.storage.tables import members


@dataclass(frozen=True)
class LinkageRun:
    compared: int
    candidates: int
    added: int
    certain: int
    review: int


class MergeService:
    def __init__(self, deps: MembersDeps) -> None:
        self._deps = deps

    def find_duplicates(self, actor: Actor, alliance_id: str, *, full: bool = False) -> LinkageRun:
        """Score the alliance's members; store the new candidate pairs (a command)."""
        with self._deps.read() as repos:
            since = None if full else MergeRepository(repos.connection).last_run(alliance_id)
            rows = repos.connection.execute(
                select(members.c.member_id, members.c.updated_at).where(
                    members.c.alliance_id == alliance_id, members.c.status == MemberStatus.ACTIVE.value
                )
            ).all()
            changed = {r.member_id for r in rows if since is None or r.updated_at > since}
            people = []
            for r in rows:
                member = repos.members.get(alliance_id, r.member_id)
                if member is None:
                    continue
                people.append(
                    prepare(
                        {
                            "id": member.member_id,
                            "name": member.profile.display_name,
                            "birthday": member.profile.birthday.isoformat()
                            if member.profile.birthday
                            else None,
                            "phone": member.phone,
                            "address": member.profile.region,
                        }
                    )
                )
        pairs = [p for p in model.find_pairs(people) if p.id_l in changed or p.id_r in changed]
        command = SavePairs(
            alliance_id=alliance_id,
            pairs=tuple(_stored(p) for p in pairs),
            compared=len(people),
        )
        added: int = self._deps.bus.execute(actor, command).value
        certain = sum(1 for p in pairs if p.band == "certain")
        return LinkageRun(len(people), len(pairs), added, certain, len(pairs) - certain)

    def pairs(self, alliance_id: str, *, status: str | None = "open", limit: int = 100) -> list[Any]:
        with self._deps.read() as repos:
            return MergeRepository(repos.connection).pairs(alliance_id, status=status, limit=limit)

    def merges(self, alliance_id: str) -> list[Any]:
        with self._deps.read() as repos:
            return MergeRepository(repos.connection).merges(alliance_id)

    def merge(
        self, actor: Actor, alliance_id: str, survivor_id: str, absorbed_id: str, pair_id: str | None = None
    ) -> Merged:
        command = MergeMembers(
            alliance_id=alliance_id, survivor_id=survivor_id, absorbed_id=absorbed_id, pair_id=pair_id
        )
        result: Merged = self._deps.bus.execute(actor, command).value
        return result

    def unmerge(self, actor: Actor, alliance_id: str, merge_id: str) -> Unmerged:
        result: Unmerged = self._deps.bus.execute(
            actor, UnmergeMembers(alliance_id=alliance_id, merge_id=merge_id)
        ).value
        return result


def _stored(pair: model.Pair) -> dict[str, Any]:
    left, right = sorted((pair.id_l, pair.id_r))
    return {
        "member_l": left,
        "member_r": right,
        "probability": round(pair.probability, 6),
        "match_weight": round(pair.match_weight, 3),
        "band": pair.band,
        "contributions": {k: asdict(v) for k, v in pair.contributions.items()},
    }
