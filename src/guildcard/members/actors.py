"""Turns a member's session token into an actor (None once the member is erased)."""

from __future__ import annotations

from sqlalchemy import Connection, select

from guildcard.auth.tokens import TokenSubject
from guildcard.kernel.actors import Actor, ActorKind
from guildcard.members.domain.model import MemberStatus
from guildcard.members.storage.tables import members


def load_member_actor(conn: Connection, subject: TokenSubject) -> Actor | None:
    status = conn.execute(
        select(members.c.status).where(
            members.c.alliance_id == subject.alliance_id, members.c.member_id == subject.actor_id
        )
    ).scalar()
    if status != MemberStatus.ACTIVE.value:
        return None
    return Actor(kind=ActorKind.MEMBER, id=subject.actor_id, alliance_id=subject.alliance_id)
