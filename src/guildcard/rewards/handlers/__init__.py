"""The rewards context's write commands, run by the command bus (see pipeline/).

Importing this package registers every feature's handlers on ``handlers``: import each
feature's module here as it lands.
"""

from guildcard.rewards.handlers import campaigns as _campaigns  # noqa: F401 - registers campaigns, referrals
from guildcard.rewards.handlers import checkin as _checkin  # noqa: F401 - registers its handlers
from guildcard.rewards.handlers import coupons as _coupons  # noqa: F401 - registers the coupon handlers
from guildcard.rewards.handlers import lottery as _lottery  # noqa: F401 - registers its handlers
from guildcard.rewards.handlers import mall as _mall  # noqa: F401 - registers its handlers
from guildcard.rewards.handlers.base import handlers

__all__ = ["handlers"]
