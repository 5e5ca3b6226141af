"""The one write path of every context: see README.md."""

from guildcard.pipeline.bus import CommandBus
from guildcard.pipeline.commands import Command, Outcome
from guildcard.pipeline.registry import Handlers
from guildcard.pipeline.work import Event, Work

__all__ = ["Command", "CommandBus", "Event", "Handlers", "Outcome", "Work"]
