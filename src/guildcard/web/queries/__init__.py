"""Read-only queries that pages need and no service offers yet (never a write)."""
