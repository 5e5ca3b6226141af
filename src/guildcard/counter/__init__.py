"""The counter: purchases, points + cash, refunds and backfill, orchestrating loyalty and the ledger."""
