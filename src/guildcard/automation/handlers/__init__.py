"""The automation context's write commands, run by the command bus (see pipeline/).

Importing this package registers every feature's handlers on ``handlers``.
"""

from guildcard.automation.handlers import dispatch, messages, rules, schedules, webhooks
from guildcard.automation.handlers.base import AutomationDeps, handlers

__all__ = ["AutomationDeps", "dispatch", "handlers", "messages", "rules", "schedules", "webhooks"]
