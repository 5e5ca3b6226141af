"""The insights context's write commands, run by the command bus (see pipeline/).

Importing this package registers every feature's handlers on ``handlers``.
"""

from guildcard.insights.handlers import refresh, segments, totals, walk_ins
from guildcard.insights.handlers.base import handlers

__all__ = ["handlers", "refresh", "segments", "totals", "walk_ins"]
