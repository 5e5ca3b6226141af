"""The automation context's tables and repositories."""
