"""A member merge's insights part: the absorbed member's hand tags become the survivor's (a tag
both had stays once); rule tags follow the facts, which move with the purchases. The undo takes
back exactly the tags that moved."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from guildcard.insights.storage.segments import SegmentRepository


def carry_tags(
    conn: Connection, alliance_id: str, *, source: str, target: str, now: Any, actor_id: str
) -> dict[str, Any]:
    repo = SegmentRepository(conn, alliance_id)
    moved = sorted(
        t for t, members in repo.hand_tags().items() if source in members and target not in members
    )
    for tag_id in moved:
        repo.tag_members(tag_id, [target], now=now, actor_id=actor_id)
        repo.untag_members(tag_id, [source])
    return {"tags": moved}


def restore_tags(
    conn: Connection, alliance_id: str, *, source: str, target: str, now: Any, actor_id: str,
    record: dict[str, Any],
) -> int:  # fmt: skip
    repo = SegmentRepository(conn, alliance_id)
    for tag_id in record["tags"]:
        repo.untag_members(tag_id, [source])
        repo.tag_members(tag_id, [target], now=now, actor_id=actor_id)
    return len(record["tags"])
