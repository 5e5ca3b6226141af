"""Bearer/session tokens for every kind of actor (shared infrastructure, not a context)."""
