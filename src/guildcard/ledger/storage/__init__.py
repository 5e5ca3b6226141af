"""SQL storage of the ledger (SQLAlchemy Core)."""
