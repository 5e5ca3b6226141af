"""The loyalty context's write commands and their handlers, run by the command bus (see pipeline/)."""

from __future__ import annotations

from guildcard.pipeline import Handlers

handlers = Handlers("loyalty")
