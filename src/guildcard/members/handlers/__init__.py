"""The members context's write commands and their handlers, run by the command bus (see pipeline/).

One module per area; importing this package registers every handler on ``handlers``.
"""

from __future__ import annotations

from guildcard.members.handlers import (
    counter,
    duplicates,
    identity,
    imports,
    linkage,
    merge,
    privacy,
    profiles,
    terms,
    uploads,
)
from guildcard.members.handlers.common import handlers

__all__ = [
    "counter",
    "duplicates",
    "handlers",
    "identity",
    "imports",
    "linkage",
    "merge",
    "privacy",
    "profiles",
    "terms",
    "uploads",
]
