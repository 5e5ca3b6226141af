"""What other contexts and entry points read from the ledger, each on the caller's connection.

- ``accounts``: ``LedgerQueries``: a member's balance, lots, expiring points, history; any
  account's balance; the flow matrix; what an entry drew from each lot.
- ``metrics``: points issued and redeemed over a period and per business day (dashboards).
- ``settlement``: what statements are made of: merchants' point postings and lot draws in a
  window of entries, outstanding and expired points by issuer, a merchant's issued points
  (issuance limits), the latest checkpoint.

Nothing outside the ledger reads the ledger's tables.
"""

from guildcard.ledger.queries.accounts import LedgerQueries

__all__ = ["LedgerQueries"]
