"""The shared audit log of staff and operator actions: append-only, read-only to users."""
