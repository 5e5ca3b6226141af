"""Finding duplicates in an alliance (the linkage job), reviewing pairs, merging and undoing merges.

The job is incremental: it scores every active member, keeps the pairs in which at least one
member is new or changed since the last run, and adds those not found before (a pair already
found keeps its review). Pairs at or above the upper threshold are near-certain, the others
(above the lower one) wait for review. Personal data is decrypted only in this process, for the
comparison, and never leaves it: the stored pairs hold member ids, probabilities and weights.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from guildcard.kernel.actors import Actor
from guildcard.kernel.permissions import Perm, allows
from guildcard.ledger.queries import LedgerQueries
from guildcard.members.domain.model import MemberStatus
from guildcard.members.handlers.duplicates import require_operator
from guildcard.members.handlers.linkage import PairReviewed, ReviewPair, SavePairs
from guildcard.members.handlers.merge import Merged, MergeMembers, Unmerged, UnmergeMembers
from guildcard.members.linkage import model
from guildcard.members.linkage.prepare import prepare
from guildcard.members.services.base import MembersDeps, Repositories
from guildcard.members.services.duplicates import PairMember, pair_member
from guildcard.members.storage.merges import MergeRepository
from guildcard.members.storage.tables import members


@dataclass(frozen=True)
class LinkageRun:
    compared: int
    candidates: int
    added: int
    certain: int
    review: int


@dataclass(frozen=True)
class Holder:
    """One side of a pair as the reviewer sees it: who (masked as the role requires) and what they hold."""

    member: PairMember
    points: int  # spendable
    pending: int
    held: int  # reserved by open holds (a mall order, a points payment): blocks absorbing this member
    debt: int  # owed after a clawback: blocks absorbing this member too
    registered_at: datetime | None

    @property
    def can_be_absorbed(self) -> bool:
        return self.member.status == "active" and self.held == 0 and self.debt == 0


@dataclass(frozen=True)
class PairView:
    pair_id: str
    probability: float
    band: str  # certain | review
    status: str  # open | merged | distinct
    contributions: dict[str, dict[str, Any]]  # field -> {"level": …, "weight": …}
    found_at: datetime
    left: Holder
    right: Holder


@dataclass(frozen=True)
class MergeView:
    merge_id: str
    status: str  # merged | undone
    merged_at: datetime
    undo_before: datetime
    undone_at: datetime | None
    points: int
    survivor: PairMember
    absorbed: PairMember


def _holder(repos: Repositories, alliance_id: str, member_id: str, *, reveal: bool) -> Holder:
    member = repos.members.get(alliance_id, member_id)
    balance = LedgerQueries(repos.connection, alliance_id=alliance_id).balance(member_id)
    return Holder(
        pair_member(member, member_id, reveal=reveal),
        balance.available,
        balance.pending,
        balance.held,
        balance.debt,
        member.registered_at if member else None,
    )


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

    def review_list(
        self, actor: Actor, alliance_id: str, *, status: str | None = "open", limit: int = 100
    ) -> list[PairView]:
        """Candidate pairs for the reviewer, most likely first, each side with its holdings. Phones are
        masked; names and birthdays too unless the role holds ``members.personal_read``."""
        require_operator(actor, alliance_id, Perm.DUPLICATE_READ)
        reveal = allows(actor, Perm.MEMBER_PERSONAL_READ)
        with self._deps.read() as repos:
            rows = MergeRepository(repos.connection).pairs(alliance_id, status=status, limit=limit)
            return [
                PairView(
                    r.pair_id,
                    r.probability,
                    r.band,
                    r.status,
                    dict(r.contributions),
                    r.found_at,
                    _holder(repos, alliance_id, r.member_l, reveal=reveal),
                    _holder(repos, alliance_id, r.member_r, reveal=reveal),
                )
                for r in rows
            ]

    def merge_list(self, actor: Actor, alliance_id: str) -> list[MergeView]:
        """The latest merges (an undo button belongs to those still ``merged`` before ``undo_before``)."""
        require_operator(actor, alliance_id, Perm.DUPLICATE_READ)
        reveal = allows(actor, Perm.MEMBER_PERSONAL_READ)
        with self._deps.read() as repos:
            views = []

            def person(member_id: str) -> PairMember:
                return pair_member(repos.members.get(alliance_id, member_id), member_id, reveal=reveal)

            for r in MergeRepository(repos.connection).merges(alliance_id):
                moved = r.moved or {}
                points = sum(int(lot["amount"]) for lot in moved.get("lots", []) if not lot.get("pending"))
                views.append(
                    MergeView(
                        r.merge_id,
                        r.status,
                        r.merged_at,
                        r.undo_before,
                        r.undone_at,
                        points,
                        person(r.survivor_id),
                        person(r.absorbed_id),
                    )
                )
            return views

    def review_pair(self, actor: Actor, alliance_id: str, pair_id: str, verdict: str) -> PairReviewed:
        """Two different people (``distinct``), or back to undecided (``open``)."""
        result: PairReviewed = self._deps.bus.execute(
            actor, ReviewPair(alliance_id=alliance_id, pair_id=pair_id, verdict=verdict)
        ).value
        return result

    def merge(
        self,
        actor: Actor,
        alliance_id: str,
        survivor_id: str,
        absorbed_id: str,
        pair_id: str | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> Merged:
        command = MergeMembers(
            alliance_id=alliance_id, survivor_id=survivor_id, absorbed_id=absorbed_id, pair_id=pair_id,
            idempotency_key=idempotency_key,
        )  # fmt: skip
        result: Merged = self._deps.bus.execute(actor, command).value
        return result

    def unmerge(
        self, actor: Actor, alliance_id: str, merge_id: str, *, idempotency_key: str | None = None
    ) -> Unmerged:
        result: Unmerged = self._deps.bus.execute(
            actor, UnmergeMembers(alliance_id=alliance_id, merge_id=merge_id, idempotency_key=idempotency_key)
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
