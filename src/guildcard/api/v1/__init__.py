"""Version 1 of the JSON API: one router module per area."""
