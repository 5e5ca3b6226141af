"""The settlement (FEN) accounts: merchants' nets against the platform, summing to zero.

``merchant:{id}:settlement`` is positive when the merchant owes the alliance. Every amount
posted there has its opposite on one of the platform accounts below, so per period the
merchants' nets plus the platform accounts' movements sum to zero.
"""

from __future__ import annotations

from guildcard.ledger.domain.entries import merchant_settlement

# Money merchants paid for points they issued, less what was paid out for points redeemed:
# the float that backs outstanding merchant-issued points.
CLEARING = "platform:clearing:points"
# Points the alliance granted itself (check-in, lottery, campaigns) are paid for from here
# when they are redeemed at a merchant.
MARKETING = "platform:marketing"
COMMISSION = "platform:revenue:commission"
REDEMPTION_FEES = "platform:revenue:redemption_fees"
ENTRY_FEES = "platform:revenue:entry_fees"
BREAKAGE = "platform:revenue:breakage"

SETTLEMENT_KIND = "settlement"

__all__ = [
    "BREAKAGE",
    "CLEARING",
    "COMMISSION",
    "ENTRY_FEES",
    "MARKETING",
    "REDEMPTION_FEES",
    "SETTLEMENT_KIND",
    "merchant_settlement",
]
