"""The rewards context's storage."""
