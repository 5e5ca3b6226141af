"""The rewards context's domain."""
