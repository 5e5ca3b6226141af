"""The counter's write commands and their handlers, run by the command bus (see pipeline/).

Importing this package registers every handler on ``handlers``.
"""

from guildcard.counter.handlers import adjust, backfill, purchase, refund, refund_requests
from guildcard.counter.handlers.adjust import AdjustPoints
from guildcard.counter.handlers.backfill import DecideBackfill, RequestBackfill
from guildcard.counter.handlers.base import CounterDeps, handlers
from guildcard.counter.handlers.purchase import CommitPurchase
from guildcard.counter.handlers.refund import RefundPurchase
from guildcard.counter.handlers.refund_requests import AskRefundApproval, DecideRefundRequest

__all__ = [
    "AdjustPoints",
    "AskRefundApproval",
    "CommitPurchase",
    "CounterDeps",
    "DecideBackfill",
    "DecideRefundRequest",
    "RefundPurchase",
    "RequestBackfill",
    "adjust",
    "backfill",
    "handlers",
    "purchase",
    "refund",
    "refund_requests",
]
