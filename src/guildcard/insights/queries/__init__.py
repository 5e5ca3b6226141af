"""What entry points and other contexts read from insights, on the caller's connection."""
