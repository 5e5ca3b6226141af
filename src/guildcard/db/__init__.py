"""Database infrastructure shared by every context's storage adapters."""
