"""The alliance context's write commands and their handlers, run by the command bus (see pipeline/).

One module per area; importing this package registers every handler on ``handlers``.
"""

from __future__ import annotations

from guildcard.alliance.handlers import (  # noqa: F401 - imported to register their handlers
    alliances,
    auth,
    contracts,
    merchants,
    onboarding,
    pos_keys,
    staff,
    stores,
)
from guildcard.alliance.handlers.common import handlers

__all__ = ["handlers"]
