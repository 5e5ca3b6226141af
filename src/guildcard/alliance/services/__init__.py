"""The alliance context's services: one unit of work per command, authorization on every object."""
