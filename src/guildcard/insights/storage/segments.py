"""Tags, the members tagged by hand, and saved segments."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from guildcard.insights.storage.tables import member_tags, segments, tags


@dataclass(frozen=True)
class StoredTag:
    tag_id: str
    name: str
    rule: str | None


@dataclass(frozen=True)
class StoredSegment:
    alliance_id: str
    segment_id: str
    name: str
    definition: dict[str, Any]
    created_at: datetime


class SegmentRepository:
    def __init__(self, conn: Connection, alliance_id: str) -> None:
        self.conn, self.alliance_id = conn, alliance_id

    def add_tag(self, tag: StoredTag, now: datetime) -> None:
        self.conn.execute(insert(tags).values(alliance_id=self.alliance_id, created_at=now, **vars(tag)))

    def tags(self) -> list[StoredTag]:
        c = tags.c
        rows = self.conn.execute(select(c.tag_id, c.name, c.rule).where(c.alliance_id == self.alliance_id))
        return [StoredTag(*r) for r in rows]

    def tag_members(self, tag_id: str, member_ids: list[str], *, now: datetime, actor_id: str) -> int:
        have = set(self.hand_tags().get(tag_id, ()))
        fresh = [m for m in dict.fromkeys(member_ids) if m not in have]
        if fresh:
            self.conn.execute(
                insert(member_tags),
                [{"alliance_id": self.alliance_id, "tag_id": tag_id, "member_id": m, "added_at": now,
                  "actor_id": actor_id} for m in fresh],
            )  # fmt: skip
        return len(fresh)

    def untag_members(self, tag_id: str, member_ids: list[str]) -> int:
        c = member_tags.c
        done = self.conn.execute(
            delete(member_tags).where(
                c.alliance_id == self.alliance_id, c.tag_id == tag_id, c.member_id.in_(member_ids)
            )
        )
        return int(done.rowcount or 0)

    def hand_tags(self) -> dict[str, set[str]]:
        """tag id -> members tagged by hand."""
        c = member_tags.c
        found: dict[str, set[str]] = defaultdict(set)
        for tag_id, member_id in self.conn.execute(
            select(c.tag_id, c.member_id).where(c.alliance_id == self.alliance_id)
        ):
            found[tag_id].add(member_id)
        return found

    def add_segment(self, segment: StoredSegment, *, actor_id: str) -> None:
        self.conn.execute(insert(segments).values(actor_id=actor_id, **vars(segment)))

    def segments(self) -> list[StoredSegment]:
        c = segments.c
        rows = self.conn.execute(
            select(c.alliance_id, c.segment_id, c.name, c.definition, c.created_at)
            .where(c.alliance_id == self.alliance_id)
            .order_by(c.segment_id)
        )
        return [StoredSegment(r[0], r[1], r[2], dict(r[3]), r[4]) for r in rows]


def segment_by_id(conn: Connection, segment_id: str) -> StoredSegment | None:
    c = segments.c
    row = conn.execute(
        select(c.alliance_id, c.segment_id, c.name, c.definition, c.created_at).where(
            c.segment_id == segment_id
        )
    ).first()
    return StoredSegment(row[0], row[1], row[2], dict(row[3]), row[4]) if row else None
