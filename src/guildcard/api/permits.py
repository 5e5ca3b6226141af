"""A route declares the permission it needs; the caller's role is checked before the body is read.

``@router.post(..., dependencies=[requires(Perm.SETTLEMENT_CLOSE)])``: FastAPI solves a route's
own dependencies before its path, query and body parameters, so a caller whose role lacks the
permission (in the one table, ``kernel.permissions``) is answered 403 whatever it sent, never
422 naming the fields it got wrong. A body that is not even JSON fails before any dependency
runs; ``auth_first`` then applies the same declarations (``declared``) before answering 422.

Which objects the role reaches (its alliance, merchant, stores) stays the services' check.
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends
from fastapi.dependencies.models import Dependant

from guildcard.api.auth import CurrentActor
from guildcard.kernel import permissions
from guildcard.kernel.actors import Actor
from guildcard.kernel.errors import PermissionDenied
from guildcard.kernel.permissions import Perm


class Permission:
    """The dependency ``requires`` builds: raises the context's 403 unless the role holds ``perm``."""

    def __init__(self, perm: Perm, error: type[PermissionDenied]) -> None:
        self.perm = perm
        self.error = error

    def check(self, actor: Actor) -> None:
        permissions.require(actor, self.perm, self.error)

    def __call__(self, actor: CurrentActor) -> Actor:
        self.check(actor)
        return actor


def requires(perm: Perm, error: type[PermissionDenied] = PermissionDenied) -> Any:
    """The route-level dependency; ``error`` keeps the refusal code the context already answers."""
    return Depends(Permission(perm, error))


def declared(dependant: Dependant) -> list[Permission]:
    """Every permission a route declares (at any depth of its dependencies)."""
    found = [d.call for d in dependant.dependencies if isinstance(d.call, Permission)]
    for sub in dependant.dependencies:
        found += declared(sub)
    return found
