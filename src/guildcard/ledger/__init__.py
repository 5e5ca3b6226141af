"""The points ledger: double-entry accounts, lots with expiry, holds, reversals, checkpoints.

Use ``Ledger`` inside your own transaction, ``LedgerService`` for standalone calls.
"""

from guildcard.ledger.domain import entries as chart
from guildcard.ledger.domain.entries import Posting, Unit
from guildcard.ledger.domain.policy import ExpiryPolicy, NegativePolicy
from guildcard.ledger.domain.results import Balance, EntryResult
from guildcard.ledger.keys import AesGcmKeyStore, KeyStore
from guildcard.ledger.queries import LedgerQueries
from guildcard.ledger.service import Ledger
from guildcard.ledger.standalone import LedgerService

__all__ = [
    "AesGcmKeyStore",
    "Balance",
    "EntryResult",
    "ExpiryPolicy",
    "KeyStore",
    "Ledger",
    "LedgerQueries",
    "LedgerService",
    "NegativePolicy",
    "Posting",
    "Unit",
    "chart",
]
