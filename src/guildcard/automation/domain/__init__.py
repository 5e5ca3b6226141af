"""Pure rules of the automation context: no framework, no database."""
