"""Settlement's tables and read-only queries over the ledger's tables."""
