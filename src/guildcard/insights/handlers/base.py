"""The insights context's one handler group: every feature's handlers register on it."""

from __future__ import annotations

from guildcard.pipeline import Handlers

handlers = Handlers("insights")
