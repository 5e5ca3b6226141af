"""The rewards context's queries."""
