"""The automation context's one handler group, its dependencies and its authorization checks."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.errors import PermissionDenied
from guildcard.pipeline import Handlers, Work
from guildcard.pipeline.outbox import StoredEvent

handlers = Handlers("automation")

# A consumer of the outbox: handles a batch of claimed events in the dispatcher's transaction
# (writing its own rows through ``work``) and says how many things it queued.
Consumer = Callable[[Work, Sequence[StoredEvent]], int]


@dataclass
class AutomationDeps:
    allow_local_http: bool = False  # http://127.0.0.1 endpoints (development and tests only)
    consumers: list[Consumer] = field(default_factory=list)


def deps_of(work: Work) -> AutomationDeps:
    deps = work.deps
    return deps if isinstance(deps, AutomationDeps) else AutomationDeps()


def only_the_system(actor: Actor, _command: object) -> None:
    if actor.kind is not ActorKind.SYSTEM:
        raise PermissionDenied()


def may_manage_webhooks(actor: Actor, merchant_id: str | None) -> None:
    """The alliance's endpoints: its admins; a merchant's: its owner (or an alliance admin)."""
    if actor.is_operator("admin"):
        return
    if merchant_id is not None and actor.is_staff_of(merchant_id, "owner"):
        return
    raise PermissionDenied()
