"""The automation context's one handler group, its dependencies and its authorization checks."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.errors import PermissionDenied
from guildcard.pipeline import Handlers, Work
from guildcard.pipeline.outbox import StoredEvent
from guildcard.privacy.cipher import FieldCipher

handlers = Handlers("automation")

# A consumer of the outbox: handles a batch of claimed events in the dispatcher's transaction
# (writing its own rows through ``work``) and says how many things it queued.
Consumer = Callable[[Work, Sequence[StoredEvent]], int]
# Which of these members gave marketing consent (the members context's answer, via an adapter).
ConsentSource = Callable[[Work, set[str]], set[str]]


def _nobody(_work: Work, _members: set[str]) -> set[str]:
    return set()


@dataclass
class AutomationDeps:
    allow_local_http: bool = False  # http://127.0.0.1 endpoints (development and tests only)
    consumers: list[Consumer] = field(default_factory=list)
    marketing_consent: ConsentSource = _nobody  # no adapter wired: no marketing at all
    cipher: FieldCipher | None = None  # seals webhook secrets at rest (the application always wires it)


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


def may_manage_rules(actor: Actor, _command: object = None) -> None:
    """Automation rules are the alliance's: its admins."""
    if not actor.is_operator("admin"):
        raise PermissionDenied()
