"""The counter's tables and repository."""
