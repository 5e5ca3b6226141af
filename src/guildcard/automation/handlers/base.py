"""The automation context's one handler group, its dependencies and its authorization checks."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

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


@dataclass(frozen=True)
class Occurrence:
    """One member's occurrence of a schedule trigger: ``key`` names it so it happens once
    (``birthday:2026``, ``quiet:2026-10-01``, ``expiring:2027-01-01``, ``date:2026-12-24``)."""

    member_id: str
    key: str
    facts: Mapping[str, Any] = field(default_factory=dict)  # the trigger's symbols


# The members a schedule trigger (code, its params) reaches now: the other contexts' answer, via
# an adapter (``guildcard.adapters.automation_ports.schedule_source``).
# Called as ``source(conn, alliance_id, trigger_code, params, now)``; also by the dry run (a read).
ScheduleSource = Callable[[Connection, str, str, Mapping[str, Any], datetime], list[Occurrence]]


def _nobody(_work: Work, _members: set[str]) -> set[str]:
    return set()


def no_schedules(
    _conn: Connection, _alliance_id: str, _trigger: str, _params: Mapping[str, Any], _now: datetime
) -> list[Occurrence]:
    return []


@dataclass
class AutomationDeps:
    allow_local_http: bool = False  # http://127.0.0.1 endpoints (development and tests only)
    consumers: list[Consumer] = field(default_factory=list)
    marketing_consent: ConsentSource = _nobody  # no adapter wired: no marketing at all
    cipher: FieldCipher | None = None  # seals webhook secrets at rest (the application always wires it)
    schedules: ScheduleSource = no_schedules  # no adapter wired: schedule triggers reach nobody


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
