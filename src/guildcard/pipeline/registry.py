"""Handlers registered per context: ``handlers = Handlers("alliance")`` then ``@handlers.register()``.

A handler is a small function ``handle(command, work) -> result``. Its first parameter's
annotation names the command it handles; its return annotation is the typed result that a
replay returns (stored as JSON in the idempotency record unless ``remember``/``replay`` say
otherwise, e.g. to reload an object by id or to leave out a secret shown once).
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, TypeVar

from pydantic import TypeAdapter

from guildcard.kernel.actors import Actor
from guildcard.pipeline.commands import Command
from guildcard.pipeline.work import Work

F = TypeVar("F", bound=Callable[..., Any])

Authorize = Callable[[Actor, Any], None]
# A natural-key claim (e.g. the counter's (merchant, order number)): returns the first
# result when the command was seen before, None when this request now owns the key.
Claim = Callable[[Any, Work], Any | None]


@dataclass(frozen=True)
class Registration:
    context: str
    command: type[Command]
    handle: Callable[[Any, Work], Any]
    result: Any
    authorize: Authorize | None = None
    remember: Callable[[Any], Any] | None = None
    replay: Callable[[Any, Work], Any] | None = None
    claim: Claim | None = None
    batchable: bool = False

    @cached_property
    def _adapter(self) -> TypeAdapter[Any]:
        return TypeAdapter(self.result)

    def encode(self, value: Any) -> Any:
        if self.remember is not None:
            return self.remember(value)
        return self._adapter.dump_python(value, mode="json")

    def decode(self, stored: Any, work: Work) -> Any:
        if self.replay is not None:
            return self.replay(stored, work)
        return self._adapter.validate_python(stored)


class Handlers:
    """One context's handlers, keyed by the command type they handle."""

    def __init__(self, context: str) -> None:
        self.context = context
        self.registrations: dict[type[Command], Registration] = {}

    def register(
        self,
        *,
        authorize: Authorize | None = None,
        remember: Callable[[Any], Any] | None = None,
        replay: Callable[[Any, Work], Any] | None = None,
        claim: Claim | None = None,
        batchable: bool = False,
    ) -> Callable[[F], F]:
        def decorate(handle: F) -> F:
            hints = typing.get_type_hints(handle)
            command = next(iter(v for k, v in hints.items() if k != "return"))
            if not (isinstance(command, type) and issubclass(command, Command)):
                raise TypeError(
                    f"{handle.__qualname__}: the first parameter must be annotated with a Command"
                )
            if not command.scope:
                raise TypeError(f"{command.__qualname__} has no scope")
            if command in self.registrations:
                raise TypeError(f"{command.__qualname__} is handled twice")
            self.registrations[command] = Registration(
                self.context, command, handle, hints.get("return", Any),
                authorize, remember, replay, claim, batchable,
            )  # fmt: skip
            return handle

        return decorate
