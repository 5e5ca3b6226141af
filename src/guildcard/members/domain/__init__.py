"""Pure rules of the members context: no framework, no storage."""
