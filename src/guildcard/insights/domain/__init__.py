"""The insights context's domain: pure definitions of every figure, no framework."""
