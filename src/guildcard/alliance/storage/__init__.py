"""SQLAlchemy Core tables and repositories of the alliance context."""
