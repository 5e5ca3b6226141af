"""Tables and repositories of the members context."""
