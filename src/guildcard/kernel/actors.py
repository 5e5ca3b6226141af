"""Who is acting: resolved once per request by the entry point, checked by services.

Services decide what an actor may do with an object (tenant, merchant, store, self);
entry points only establish who the actor is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class ActorKind(StrEnum):
    OPERATOR = "operator"  # alliance staff (联盟总部): admin, reviewer, finance, viewer
    STAFF = "staff"  # merchant staff: owner, manager, cashier
    MEMBER = "member"
    POS = "pos"  # a store's POS integration, by API key
    SYSTEM = "system"  # jobs and the demo seeder


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    id: str
    alliance_id: str
    role: str | None = None
    merchant_id: str | None = None
    store_ids: frozenset[str] = field(default_factory=frozenset)
    scopes: frozenset[str] = field(default_factory=frozenset)

    def is_operator(self, *roles: str) -> bool:
        return self.kind is ActorKind.OPERATOR and (not roles or self.role in roles)

    def is_staff_of(self, merchant_id: str, *roles: str) -> bool:
        return (
            self.kind is ActorKind.STAFF
            and self.merchant_id == merchant_id
            and (not roles or self.role in roles)
        )


def system_actor(alliance_id: str, name: str = "system") -> Actor:
    return Actor(kind=ActorKind.SYSTEM, id=name, alliance_id=alliance_id)
