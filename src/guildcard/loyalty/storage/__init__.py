"""Loyalty storage: SQLAlchemy Core tables and the repository behind the service."""
